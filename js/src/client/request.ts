/**
 * What every mode of the client does the same way (the CSRF endpoint behind `csrfFetch` and
 * `createClient`, the auth endpoints of `createClient`, the token endpoints of
 * `createTokenClient`):
 *
 * - {@link requestJson}: call a django-duet endpoint with a JSON body, and get its JSON object
 *   back, or a {@link DuetApiError} with the server's code (or one that says what was called).
 * - {@link errorCode}: the code of an error answer, read without consuming the caller's body.
 * - {@link singleFlight}: however many callers need a refresh at once, one request is sent and
 *   they all wait for its answer (a CSRF token fetched once; a refresh token, which the server
 *   accepts only once, presented once).
 */
import { DuetApiError, UNEXPECTED_RESPONSE, apiError, errorOf, isRecord } from "./errors.js";
import type { Credentials, FetchLike } from "./env.js";

/** The parsed JSON body, or `undefined` when the answer is not JSON (an HTML error page, say). */
export async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get("content-type") ?? "";
  if (!/[/+]json\b/i.test(type)) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** One call to an endpoint. */
export interface JsonRequest {
  method: "GET" | "POST";
  /** Sent as JSON. Default: no body. */
  body?: unknown;
  /** Default: whatever the `fetch` given to {@link requestJson} applies. */
  credentials?: Credentials;
  /** What was called, for error messages: `"the CSRF endpoint (GET https://...)"`. */
  what: string;
  /** Appended to the message when the answer is not a JSON object: what to check. */
  hint?: string;
}

/**
 * Calls `url` and returns the JSON object it answers. A failure status becomes a
 * {@link DuetApiError} with the server's code; a success without a JSON object, one with the code
 * `unexpected_response`.
 */
export async function requestJson(fetchFn: FetchLike, url: string, request: JsonRequest): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method: request.method, headers };
  if (request.credentials !== undefined) init.credentials = request.credentials;
  if (request.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(request.body);
  }
  return readRecord(await fetchFn(url, init), request);
}

/** The JSON object of an endpoint's answer (see {@link requestJson}). */
export async function readRecord(
  response: Response,
  request: Pick<JsonRequest, "what" | "hint">,
): Promise<Record<string, unknown>> {
  const body = await readJson(response);
  if (!response.ok) throw apiError(response, body, request.what);
  if (!isRecord(body)) {
    const hint = request.hint !== undefined ? `: ${request.hint}` : ".";
    throw new DuetApiError(
      response.status,
      UNEXPECTED_RESPONSE,
      `django-duet: ${request.what} answered HTTP ${response.status} without a JSON object${hint}`,
    );
  }
  return body;
}

/** The error code of a django-duet error answer, if it is one. Reads a clone: the caller may read the body. */
export async function errorCode(response: Response): Promise<string | undefined> {
  return errorOf(await readJson(response.clone()))?.code;
}

/** A task that runs at most once at a time: see {@link singleFlight}. */
export interface SingleFlight<T> {
  /** Starts the task, or joins the run in flight. */
  run(): Promise<T>;
  /** The run in flight, if any: what a caller waits for instead of using a value it knows is stale. */
  readonly pending: Promise<T> | undefined;
}

/** Wraps `task` so that concurrent callers share one run; the next call after it settles starts a new one. */
export function singleFlight<T>(task: () => Promise<T>): SingleFlight<T> {
  let pending: Promise<T> | undefined;
  return {
    run(): Promise<T> {
      pending ??= task().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    get pending(): Promise<T> | undefined {
      return pending;
    },
  };
}
