// What the example's components need from the API, for both ways of reaching it:
// - sameOriginApi(): the page is served by Django (the island on "/", or /app/ on Django's
//   origin): csrfFetch reads the CSRF token from Django's cookie on every request.
// - createClient(): the SPA on its own origin: the token comes from the csrf/ endpoint.
// The notes API is typed from Django: `python manage.py duet types` writes ../duet/api.d.ts
// from the @json_api declarations of example/api.py, and openapi-fetch's client over it sends
// each call through the fetch above (docs/types.md, API client).
import createFetchClient from "openapi-fetch";
import { DuetApiError, createClient, csrfFetch, requestFetch } from "django-duet/client";
import type { components, paths } from "../duet/api";

export interface User {
  id: number;
  username: string;
  email: string;
  isStaff: boolean;
}

export type Note = components["schemas"]["Note"];

export interface Api {
  /** The API's origin ("" for the page's own), where the typed client sends its calls. */
  readonly baseUrl: string;
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
  me(): Promise<User | null>;
  /** fetch with the CSRF token; paths are relative to the API's origin. */
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
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
    baseUrl: "",
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

/** The notes API's typed client, over the api's fetch (so every POST carries the CSRF token);
 * requestFetch hands openapi-fetch's Request on as URL and init (docs/types.md). */
function notesApi(api: Api) {
  return createFetchClient<paths>({ baseUrl: api.baseUrl, fetch: requestFetch(api.fetch) });
}

/** A refused call as a DuetApiError with the server's code. */
function failed(response: Response, body: unknown, what: string): DuetApiError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new DuetApiError(
    response.status,
    error?.code ?? "unexpected_response",
    error?.message ?? `${what} answered HTTP ${response.status}.`,
  );
}

export async function listNotes(api: Api): Promise<Note[]> {
  const { data, error, response } = await notesApi(api).GET("/api/notes/");
  if (data === undefined) throw failed(response, error, "GET /api/notes/");
  return data.notes;
}

export async function addNote(api: Api, text: string): Promise<Note> {
  const { data, error, response } = await notesApi(api).POST("/api/notes/", { body: { text } });
  if (data === undefined) throw failed(response, error, "POST /api/notes/");
  return data.note;
}

/** A message to show for a failed call. */
export function describe(error: unknown): string {
  if (error instanceof DuetApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
