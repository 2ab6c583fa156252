/**
 * One request to the API with its CSRF token: the rules shared by `csrfFetch` (same origin) and
 * `createClient` (API on another origin). The caller has already checked that the URL belongs to
 * the API's origin; nothing here sends a token anywhere else.
 *
 * - Safe methods (GET, HEAD, OPTIONS, TRACE) carry no token.
 * - A token header the caller set is sent as is, and never retried: the caller owns it.
 * - On a 403 whose JSON body is a CSRF refusal (the token was rotated, e.g. by a login in another
 *   tab), the token is refreshed once and the request retried once. A second refusal goes back to
 *   the caller: there is no loop. Three bodies are refusals: django-duet's code `csrf_failed`,
 *   and the answers Django REST framework and django-ninja write themselves, since their views
 *   check CSRF inside the view and never reach Django's CSRF_FAILURE_VIEW (see
 *   {@link isCsrfRefusal}).
 * - A body that is a `ReadableStream` can only be read once, so such a request is not retried:
 *   the 403 goes back to the caller. A `Request` with a body is cloned before it is sent, so that
 *   it can be retried.
 */
import { readJson } from "./request.js";
import { errorOf, isRecord } from "./errors.js";
import type { Credentials, FetchLike } from "./env.js";
import type { CsrfToken } from "./csrf-token.js";

/** The error code of django-duet's JSON answer to a CSRF failure. */
export const CSRF_FAILED = "csrf_failed";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** How one mode finds and refreshes tokens. */
export interface CsrfSource {
  fetch: FetchLike;
  credentials: Credentials;
  /** The header name Django reads the token from (may change once the endpoint has answered). */
  headerName(): string;
  token(): Promise<CsrfToken>;
  refresh(stale: CsrfToken): Promise<CsrfToken>;
}

export type FetchInput = string | URL | Request;

function isRequest(input: FetchInput): input is Request {
  return typeof input !== "string" && !(input instanceof URL);
}

function methodOf(input: FetchInput, init: RequestInit | undefined): string {
  return (init?.method ?? (isRequest(input) ? input.method : "GET")).toUpperCase();
}

function isUnsafe(input: FetchInput, init: RequestInit | undefined): boolean {
  return !SAFE_METHODS.has(methodOf(input, init));
}

function isStream(body: unknown): boolean {
  return typeof body === "object" && body !== null && typeof (body as { getReader?: unknown }).getReader === "function";
}

/**
 * DRF's SessionAuthentication refuses with `{"detail": "CSRF Failed: <Django's reason>"}`;
 * django-ninja's cookie auth (`django_auth`, `APIKeyCookie`) with `{"detail": "CSRF check Failed"}`.
 * Neither text is translated, and both are raised before the view's code runs, so nothing was
 * written and a retry cannot write twice.
 */
const DRF_PREFIX = "CSRF Failed:";
const NINJA_DETAIL = "CSRF check Failed";

/** Whether the JSON body of a 403 is a CSRF refusal: django-duet's, DRF's or django-ninja's. */
export function isCsrfRefusal(body: unknown): boolean {
  if (errorOf(body)?.code === CSRF_FAILED) return true;
  if (!isRecord(body) || typeof body.detail !== "string") return false;
  return body.detail.startsWith(DRF_PREFIX) || body.detail === NINJA_DETAIL;
}

/** Whether a response is a CSRF refusal (not any other 403). */
async function isCsrfFailure(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  // Reads a clone: the caller gets the response, body unread, when it is not retried.
  return isCsrfRefusal(await readJson(response.clone()));
}

export async function sendWithCsrf(source: CsrfSource, input: FetchInput, init?: RequestInit): Promise<Response> {
  // `fetch(request, init)` takes init's headers instead of the request's, when init has some.
  const headers = new Headers(init?.headers ?? (isRequest(input) ? input.headers : undefined));
  const base: RequestInit = { ...init, credentials: init?.credentials ?? source.credentials };
  if (!isUnsafe(input, init) || headers.has(source.headerName())) {
    return source.fetch(input, { ...base, headers });
  }

  const token = await source.token();
  headers.set(source.headerName(), token.value);

  let replay: FetchInput | undefined = input;
  if (init?.body !== undefined && init.body !== null) {
    if (isStream(init.body)) replay = undefined;
  } else if (isRequest(input) && input.body !== null) {
    replay = input.clone();
  }

  const response = await source.fetch(input, { ...base, headers });
  if (replay === undefined || !(await isCsrfFailure(response))) return response;

  const fresh = await source.refresh(token);
  const retryHeaders = new Headers(headers);
  retryHeaders.set(source.headerName(), fresh.value);
  // The refused response is dropped: free its connection.
  await response.body?.cancel().catch(() => undefined);
  return source.fetch(replay, { ...base, headers: retryHeaders });
}
