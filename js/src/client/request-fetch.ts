/**
 * `requestFetch`: hands a `Request` to a `fetch` that takes a URL and an init.
 *
 * Typed clients such as openapi-fetch build a `Request` and call `fetch(request)`. The token
 * client's `fetch` (apps) takes a URL and an init, so that it can refuse to send the access token
 * to another origin before anything is sent; `csrfFetch` and `createClient().fetch` take a
 * `Request`, but Chromium's fetch of a `Request` hides its body from Playwright's
 * `request.post_data` (so from django-duet's `duet_api_recorder`). This adapter reads the body
 * into memory, as text when it is JSON, text or a form (so the token client can send it again
 * after an expired token), else as bytes, and passes the URL, method, headers, body and signal on.
 */
import type { FetchInput } from "./csrf-send.js";

const TEXT = /json|^text\/|x-www-form-urlencoded/i;

/** What the adapter calls: a `fetch` of a URL and an init (e.g. `createTokenClient().fetch`). */
export type UrlFetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A `fetch` that takes a `Request` (or a URL) and calls `send` with a URL and an init. */
export function requestFetch(send: UrlFetch): (input: FetchInput, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    if (typeof input === "string" || input instanceof URL) return send(String(input), init);
    const type = input.headers.get("Content-Type") ?? "";
    const body = input.body === null ? undefined : TEXT.test(type) ? await input.text() : await input.arrayBuffer();
    const forwarded: RequestInit = { method: input.method, headers: input.headers, signal: input.signal };
    if (body !== undefined) forwarded.body = body;
    return send(input.url, { ...forwarded, ...init });
  };
}
