import { useEffect } from "react";
import { LoginForm } from "../components/LoginForm";
import { useLogout } from "../lib/useLogout";
import { useSession } from "./session";

export default function LoginPage() {
  const { api, user, setUser, load } = useSession();
  const { logout, error } = useLogout(api, () => setUser(null));
  useEffect(load, [load]);

  return (
    <>
      <h1 data-testid="page-title">Account</h1>
      {user === undefined && <p data-testid="account-loading">Checking your session…</p>}
      {user === null && <p data-testid="account-anonymous">Nobody is logged in (try demo / demo-password-123).</p>}
      {user && (
        <>
          <p data-testid="account-user">Signed in as {user.username}</p>
          <button type="button" onClick={logout} data-testid="logout">
            Log out
          </button>
        </>
      )}
      {error !== null && (
        <p role="alert" data-testid="account-error">
          {error}
        </p>
      )}
      {user !== undefined && (
        <LoginForm api={api} onLogin={setUser} title={user ? "Log in again or as someone else" : "Log in"} />
      )}
    </>
  );
}
