import { useState, type FormEvent } from "react";
import { describe, type Api, type User } from "../lib/api";
import "./account.css";

export interface LoginFormProps {
  api: Api;
  onLogin: (user: User) => void;
  title?: string;
}

/** The login form of both the island on "/" and the SPA's /app/login. */
export function LoginForm({ api, onLogin, title = "Log in" }: LoginFormProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.login(String(form.get("username")), String(form.get("password"))));
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="account-form" data-testid="login-form" onSubmit={submit}>
      <h3>{title}</h3>
      <label>
        Username <input name="username" autoComplete="username" required data-testid="login-username" />
      </label>
      <label>
        Password{" "}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          data-testid="login-password"
        />
      </label>
      <button type="submit" disabled={busy} data-testid="login-submit">
        Log in
      </button>
      {error !== null && (
        <p role="alert" className="account-error" data-testid="login-error">
          {error}
        </p>
      )}
    </form>
  );
}
