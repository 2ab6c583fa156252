// What the example's components need from the API, for both ways of reaching it:
// - sameOriginApi(): the page is served by Django (the island on "/", or /app/ on Django's
//   origin): csrfFetch reads the CSRF token from Django's cookie on every request.
// - createClient(): the SPA on its own origin: the token comes from the csrf/ endpoint.
import { DuetApiError, createClient, csrfFetch } from "django-duet/client";

export interface User {
  id: number;
  username: string;
  email: string;
  isStaff: boolean;
}

export interface Note {
  id: number;
  text: string;
  created: string;
}

export interface Api {
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
  me(): Promise<User | null>;
  /** fetch with the CSRF token; paths are relative to the API's origin. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

const JSON_HEADERS = { Accept: "application/json", "Content-Type": "application/json" };

/** The JSON body of a successful answer; a DuetApiError with the server's code otherwise. */
async function readBody(response: Response, what: string): Promise<Record<string, unknown>> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!response.ok || body === undefined) {
    throw new DuetApiError(
      response.status,
      body?.error?.code ?? "unexpected_response",
      body?.error?.message ?? `${what} answered HTTP ${response.status}.`,
    );
  }
  return body as Record<string, unknown>;
}

export function sameOriginApi(prefix = "/api/auth/"): Api {
  const post = (path: string, body: unknown) =>
    csrfFetch(prefix + path, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  return {
    fetch: (path, init) => csrfFetch(path, init),
    async login(username, password) {
      return (await readBody(await post("login/", { username, password }), "login")).user as User;
    },
    async logout() {
      await readBody(await post("logout/", {}), "logout");
    },
    async me() {
      // ?anonymous=ok: nobody logged in is a 200 {"user": null}, not a 401 in the console.
      const response = await csrfFetch(prefix + "me/?anonymous=ok", {
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) return null; // a server older than django-duet's me/ switch
      return (await readBody(response, "me")).user as User | null;
    },
  };
}

/** The API at `baseUrl` (another origin), or the page's own origin when there is none. */
export function apiFor(baseUrl: string | null): Api {
  if (baseUrl === null || baseUrl === "" || new URL(baseUrl).origin === window.location.origin) {
    return sameOriginApi();
  }
  return createClient<User>({ baseUrl });
}

export async function listNotes(api: Api): Promise<Note[]> {
  const response = await api.fetch("/api/notes/", { headers: { Accept: "application/json" } });
  return (await readBody(response, "GET /api/notes/")).notes as Note[];
}

export async function addNote(api: Api, text: string): Promise<Note> {
  const response = await api.fetch("/api/notes/", {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ text }),
  });
  return (await readBody(response, "POST /api/notes/")).note as Note;
}

/** A message to show for a failed call. */
export function describe(error: unknown): string {
  if (error instanceof DuetApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
