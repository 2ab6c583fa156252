import { useMemo, useState } from "react";
import { sameOriginApi, type User } from "../lib/api";
import { useLogout } from "../lib/useLogout";
import { LoginForm } from "./LoginForm";
import { Notes } from "./Notes";
import "./account.css";

export interface AccountProps {
  /** The user Django rendered the page for (null: anonymous). */
  user: User | null;
}

/** The island on Django's page: log in and out, and write notes, without a page reload. */
export function Account({ user: initial }: AccountProps) {
  const api = useMemo(() => sameOriginApi(), []);
  const [user, setUser] = useState<User | null>(initial);
  const { logout, error } = useLogout(api, () => setUser(null));

  if (user === null) {
    return <LoginForm api={api} onLogin={setUser} />;
  }
  return (
    <section className="account" data-testid="account">
      <p data-testid="account-user">Signed in as {user.username}</p>
      <button type="button" onClick={logout} data-testid="logout">
        Log out
      </button>
      {error !== null && (
        <p role="alert" className="account-error" data-testid="account-error">
          {error}
        </p>
      )}
      <Notes api={api} />
    </section>
  );
}
