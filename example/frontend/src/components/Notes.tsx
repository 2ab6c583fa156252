import { useEffect, useState, type FormEvent } from "react";
import { addNote, describe, listNotes, type Api, type Note } from "../lib/api";
import "./account.css";

/** The logged-in user's notes: a GET, and a CSRF-protected POST per new note. */
export function Notes({ api }: { api: Api }) {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");

  useEffect(() => {
    let live = true;
    listNotes(api).then(
      (loaded) => live && setNotes(loaded),
      (failure: unknown) => live && setError(describe(failure)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      const note = await addNote(api, text);
      setNotes((current) => [...(current ?? []), note]);
      setText("");
    } catch (failure) {
      setError(describe(failure));
    }
  }

  return (
    <section className="notes" data-testid="notes">
      <h3>Your notes</h3>
      {notes === null ? (
        <p data-testid="notes-loading">Loading notes…</p>
      ) : (
        <ul data-testid="note-list">
          {notes.map((note) => (
            <li key={note.id}>{note.text}</li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <input
          value={text}
          onChange={(event) => setText(event.target.value)}
          maxLength={200}
          required
          aria-label="New note"
          data-testid="note-text"
        />
        <button type="submit" data-testid="note-submit">
          Add note
        </button>
      </form>
      {error !== null && (
        <p role="alert" className="account-error" data-testid="notes-error">
          {error}
        </p>
      )}
    </section>
  );
}
