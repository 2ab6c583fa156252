import { useState } from "react";
import { describe, type Api } from "./api";

/** Log out through the API; `error` holds what to show when it fails. */
export function useLogout(api: Api, onLoggedOut: () => void) {
  const [error, setError] = useState<string | null>(null);
  async function logout() {
    setError(null);
    try {
      await api.logout();
      onLoggedOut();
    } catch (failure) {
      setError(describe(failure));
    }
  }
  return { logout, error };
}
