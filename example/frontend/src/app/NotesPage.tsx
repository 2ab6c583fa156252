import { useEffect } from "react";
import { Link } from "react-router";
import { Notes } from "../components/Notes";
import { useSession } from "./session";

export default function NotesPage() {
  const { api, user, load } = useSession();
  useEffect(load, [load]);
  return (
    <>
      <h1 data-testid="page-title">Notes</h1>
      {user === undefined && <p data-testid="account-loading">Checking your session…</p>}
      {user === null && (
        <p data-testid="notes-login-required">
          <Link to="/login">Log in</Link> to keep notes.
        </p>
      )}
      {user && <Notes api={api} />}
    </>
  );
}
