/** Fakes shared by the tests of the CSRF modes: a recording `fetch`, a Django-like server, a page. */
import type { DocumentLike, FetchLike } from "../../src/client.js";
import { CSRF_FAILED } from "../../src/client.js";

export const PAGE = "https://app.example.test";
export const API = "https://api.example.test";

/** One request as the fake server saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: Headers;
  credentials: string;
  body: string;
}

export type Handler = (seen: Seen) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function error(status: number, code: string, message = code): Response {
  return json(status, { error: { code, message } });
}

/**
 * A fake `fetch` that records every request. Relative URLs resolve against the page, as in a
 * browser; `credentials` is recorded as given ("(unset)" when the caller left it out).
 */
export function fakeFetch(handler: Handler): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: FetchLike = async (input, init) => {
    const absolute = typeof input === "string" ? new URL(input, `${PAGE}/page/`).href : input;
    const request = new Request(absolute, init);
    const call: Seen = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      credentials: init?.credentials ?? (input instanceof Request ? input.credentials : "(unset)"),
      body: await request.text(),
    };
    seen.push(call);
    return handler(call);
  };
  return { fetch, seen };
}

/**
 * A Django-like server: the CSRF endpoint hands out the current token, unsafe requests must carry
 * it in `headerName`, and login/logout rotate it, as Django does.
 */
export function fakeDjango(options: { headerName?: string; cookieName?: string; token?: string } = {}) {
  const state = {
    token: options.token ?? "token-1",
    headerName: options.headerName ?? "X-CSRFToken",
    cookieName: options.cookieName ?? "csrftoken",
    rotations: 1,
  };
  const rotate = (): string => {
    state.rotations += 1;
    state.token = `token-${state.rotations}`;
    return state.token;
  };
  const handler: Handler = (seen) => {
    const path = new URL(seen.url).pathname;
    if (path.endsWith("/csrf/")) {
      return json(200, { csrfToken: state.token, headerName: state.headerName, cookieName: state.cookieName });
    }
    if (!["GET", "HEAD", "OPTIONS"].includes(seen.method) && seen.headers.get(state.headerName) !== state.token) {
      return error(403, CSRF_FAILED, "CSRF token incorrect.");
    }
    if (path.endsWith("/login/")) {
      const { password } = JSON.parse(seen.body) as { password: string };
      if (password !== "right") return error(400, "invalid_credentials", "Wrong username or password.");
      return json(200, { user: { username: "demo" }, csrfToken: rotate() });
    }
    if (path.endsWith("/logout/")) return json(200, { csrfToken: rotate() });
    return json(200, { ok: true });
  };
  return { state, rotate, ...fakeFetch(handler) };
}

export function fakeDocument(cookie = "", meta?: string): DocumentLike & { cookie: string } {
  return {
    cookie,
    baseURI: `${PAGE}/page/`,
    location: { origin: PAGE },
    querySelector: (selectors) =>
      selectors === 'meta[name="duet-csrf"]' && meta !== undefined ? { getAttribute: () => meta } : null,
  };
}

export const csrfCalls = (seen: Seen[]): Seen[] => seen.filter((s) => s.url.endsWith("/csrf/"));

/** A promise with its resolve function, to hold a fake answer until the test releases it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
