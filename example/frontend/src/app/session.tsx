import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { apiFor, type Api, type User } from "../lib/api";

// Where the API is: <meta name="duet-api-url" content="https://api.example.com/"> when the SPA
// is served from another origin than Django (a static host, a CDN); absent when Django serves it.
function configuredApiUrl(): string | null {
  return document.querySelector('meta[name="duet-api-url"]')?.getAttribute("content") ?? null;
}

interface Session {
  api: Api;
  /** undefined: not asked yet; null: nobody is logged in. */
  user: User | null | undefined;
  setUser: (user: User | null) => void;
  /** Asks the API once (routes that need the user call it; others never hit me/). */
  load: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useMemo(() => apiFor(configuredApiUrl()), []);
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const asked = useRef(false); // a ref: StrictMode runs effects twice, me/ is asked once
  const load = useCallback(() => {
    if (asked.current) return;
    asked.current = true;
    api.me().then(setUser, () => setUser(null));
  }, [api]);
  const value = useMemo(() => ({ api, user, setUser, load }), [api, user, load]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession() needs a <SessionProvider> above it.");
  return session;
}
