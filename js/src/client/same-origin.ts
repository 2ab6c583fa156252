/**
 * `csrfFetch`: a drop-in `fetch` for pages served by Django (the hybrid model), where the page
 * and the API share an origin and the page can read Django's CSRF cookie.
 */
import { watchBuild } from "./version.js";
import { globalDocument, globalFetch, requestUrl } from "./env.js";
import type { DocumentLike, FetchLike } from "./env.js";
import { DJANGO_CSRF_DEFAULTS, readCookie, readPageConfig } from "./csrf-names.js";
import type { CsrfNames, PageCsrfConfig } from "./csrf-names.js";
import { sendWithCsrf } from "./csrf-send.js";
import type { CsrfSource, FetchInput } from "./csrf-send.js";
import { CsrfTokenStore, callCsrfEndpoint } from "./csrf-token.js";
import type { CsrfToken } from "./csrf-token.js";

/** Where `django_duet.urls` is mounted in the example project and the docs. */
export const DEFAULT_CSRF_ENDPOINT = "/api/auth/csrf/";

/** Options of {@link createCsrfFetch}. Every one is optional; the page's meta config fills the gaps. */
export interface CsrfFetchOptions {
  /** URL of django-duet's CSRF endpoint. Default: the page's meta config, else `"/api/auth/csrf/"`. */
  csrfEndpoint?: string;
  /** Django's `CSRF_HEADER_NAME` as an HTTP header name. Default: learned (see docs/client.md). */
  headerName?: string;
  /** Django's `CSRF_COOKIE_NAME`. Default: learned (see docs/client.md). */
  cookieName?: string;
  /** The `fetch` to call. Default: the global `fetch`, looked up on each call. */
  fetch?: FetchLike;
  /** The page. Default: the global `document`, looked up on each call. */
  document?: DocumentLike;
}

/** The signature of `fetch`. */
export type CsrfFetch = (input: FetchInput, init?: RequestInit) => Promise<Response>;

function pageOrigin(doc: DocumentLike): string {
  return doc.location?.origin ?? new URL(doc.baseURI).origin;
}

/**
 * A `fetch` that adds the CSRF token to unsafe requests to the page's own origin. Requests to
 * other origins go out untouched, without the token.
 */
export function createCsrfFetch(options: CsrfFetchOptions = {}): CsrfFetch {
  const doc = (): DocumentLike => options.document ?? globalDocument();
  const fetchFn = (): FetchLike => options.fetch ?? globalFetch();
  let page: PageCsrfConfig | undefined;
  const pageConfig = (): PageCsrfConfig => (page ??= readPageConfig(doc()));
  const learned: Partial<CsrfNames> = {};

  // Explicit options, then the endpoint's answer (the server's live settings), then the page.
  const names = (): CsrfNames => ({
    headerName: options.headerName ?? learned.headerName ?? pageConfig().headerName ?? DJANGO_CSRF_DEFAULTS.headerName,
    cookieName: options.cookieName ?? learned.cookieName ?? pageConfig().cookieName ?? DJANGO_CSRF_DEFAULTS.cookieName,
  });
  const cookieToken = (): string | undefined => {
    const value = readCookie(doc().cookie, names().cookieName);
    return value === "" ? undefined : value;
  };

  const store = new CsrfTokenStore(async () => {
    const endpoint = options.csrfEndpoint ?? pageConfig().csrfEndpoint ?? DEFAULT_CSRF_ENDPOINT;
    const answer = await callCsrfEndpoint(fetchFn(), new URL(endpoint, doc().baseURI).href, "same-origin");
    if (answer.headerName !== undefined) learned.headerName = answer.headerName;
    if (answer.cookieName !== undefined) learned.cookieName = answer.cookieName;
    return answer.csrfToken;
  });

  const source: CsrfSource = {
    // Only requests to the page's own origin go through here: they carry the page's build id.
    get fetch() {
      return watchBuild(fetchFn(), { sendHeader: true, document: options.document });
    },
    credentials: "same-origin",
    headerName: () => names().headerName,
    // The cookie first: it follows logins in other tabs. Memory holds the endpoint's answer for
    // when the cookie cannot be read (CSRF_COOKIE_HTTPONLY, CSRF_USE_SESSIONS).
    token: (): Promise<CsrfToken> => {
      const value = cookieToken();
      return value !== undefined ? Promise.resolve({ value, generation: store.generation }) : store.get();
    },
    refresh: (stale: CsrfToken): Promise<CsrfToken> => {
      const value = cookieToken();
      if (value !== undefined && value !== stale.value) {
        return Promise.resolve({ value, generation: store.generation });
      }
      return store.refresh(stale);
    },
  };

  // async: like fetch, every failure (no document, bad meta) is a rejection, never a throw.
  return async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const current = doc();
    if (requestUrl(input, current.baseURI).origin !== pageOrigin(current)) return fetchFn()(input, init);
    return sendWithCsrf(source, input, init);
  };
}

/**
 * `fetch` with Django's CSRF token, for same-origin requests from pages Django serves:
 * `await csrfFetch("/api/items/", { method: "POST", body })`. Configured by the page's
 * `<meta name="duet-csrf">` when there is one; {@link createCsrfFetch} makes one with options.
 */
export const csrfFetch: CsrfFetch = createCsrfFetch();
