/**
 * `createClient`: a client for a django-duet API on another origin (the single page app model).
 *
 * The page cannot read a cookie of another origin, so the token comes from the CSRF endpoint's
 * JSON answer and lives in memory; login and logout answers carry the rotated token and replace
 * it. Cookies travel with `credentials: "include"` (the API must allow the page's origin with
 * credentials, which django-duet's SPA settings preset does).
 */
import { watchBuild } from "./version.js";
import { globalFetch, requestUrl } from "./env.js";
import type { Credentials, FetchLike } from "./env.js";
import { UNEXPECTED_RESPONSE, DuetApiError, DuetError, isRecord } from "./errors.js";
import { DJANGO_CSRF_DEFAULTS } from "./csrf-names.js";
import { sendWithCsrf } from "./csrf-send.js";
import type { CsrfSource, FetchInput } from "./csrf-send.js";
import { CsrfTokenStore, callCsrfEndpoint } from "./csrf-token.js";
import { requestJson } from "./request.js";

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The API's URL, e.g. `"https://api.example.com/"`. Relative paths resolve against it. */
  baseUrl: string;
  /** Where `django_duet.urls` is mounted, resolved against `baseUrl`. Default: `"/api/auth/"`. */
  authPrefix?: string;
  /** URL of the CSRF endpoint, resolved against `baseUrl`. Default: `authPrefix + "csrf/"`. */
  csrfEndpoint?: string;
  /** The credentials mode of requests to the API. Default: `"include"`, so cookies travel. */
  credentials?: Credentials;
  /** The `fetch` to call. Default: the global `fetch`, looked up on each call. */
  fetch?: FetchLike;
}

/** The user as the `me/` and `login/` endpoints describe it. */
export interface DuetUser {
  readonly [field: string]: unknown;
}

/** What {@link createClient} returns. */
export interface DuetClient<User = DuetUser> {
  /** The API's URL, with a trailing `/`. */
  readonly baseUrl: string;
  /** `fetch` with the CSRF token, for the API's origin; relative paths resolve against `baseUrl`. */
  fetch(path: FetchInput, init?: RequestInit): Promise<Response>;
  /** Logs in (session cookie); throws {@link DuetApiError}, e.g. code `invalid_credentials`. */
  login(username: string, password: string): Promise<User>;
  /** Logs out; throws {@link DuetApiError} when the server refuses. */
  logout(): Promise<void>;
  /**
   * The logged-in user, or `null` when nobody is. Asks `me/?anonymous=ok`, which answers 200
   * `{"user": null}` instead of a 401 that browsers log as a console error; a 401 (an older
   * server) is `null` too.
   */
  me(): Promise<User | null>;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function parseBaseUrl(baseUrl: string): URL {
  try {
    return new URL(withSlash(baseUrl.trim()));
  } catch {
    throw new DuetError(
      `django-duet: createClient({ baseUrl: ${JSON.stringify(baseUrl)} }) needs an absolute URL, ` +
        `e.g. "https://api.example.com/" (for the page's own origin: location.origin).`,
    );
  }
}

/** A client for the django-duet API at `baseUrl`. */
export function createClient<User = DuetUser>(options: ClientOptions): DuetClient<User> {
  const base = parseBaseUrl(options.baseUrl);
  const credentials = options.credentials ?? "include";
  const fetchFn = (): FetchLike => options.fetch ?? globalFetch();
  const prefix = new URL(withSlash(options.authPrefix ?? "/api/auth/"), base);
  const endpoints = {
    csrf: (options.csrfEndpoint !== undefined ? new URL(options.csrfEndpoint, base) : new URL("csrf/", prefix)).href,
    login: new URL("login/", prefix).href,
    logout: new URL("logout/", prefix).href,
    me: new URL("me/?anonymous=ok", prefix).href,
  };
  let headerName = DJANGO_CSRF_DEFAULTS.headerName;

  const store = new CsrfTokenStore(async () => {
    const answer = await callCsrfEndpoint(fetchFn(), endpoints.csrf, credentials);
    if (answer.headerName !== undefined) headerName = answer.headerName;
    return answer.csrfToken;
  });

  const source: CsrfSource = {
    // The API's answers are checked against the page's build (the API must expose X-Duet-Build).
    get fetch() {
      return watchBuild(fetchFn(), { sendHeader: false });
    },
    credentials,
    headerName: () => headerName,
    token: () => store.get(),
    refresh: (stale) => store.refresh(stale),
  };

  function apiFetch(path: FetchInput, init?: RequestInit): Promise<Response> {
    const url = requestUrl(path, base.href);
    // A relative path must not reach fetch as is: the browser would resolve it against the page.
    const input = typeof path === "string" ? url.href : path;
    if (url.origin !== base.origin) return fetchFn()(input, init);
    return sendWithCsrf(source, input, init);
  }

  /** Calls an auth endpoint and returns its JSON body; a failure becomes a DuetApiError. */
  async function call(url: string, method: "GET" | "POST", body?: unknown): Promise<Record<string, unknown>> {
    const json = await requestJson(apiFetch, url, { method, body, what: `${method} ${url}` });
    // Login and logout rotate Django's CSRF token; their answers carry the new one.
    if (typeof json.csrfToken === "string" && json.csrfToken !== "") store.set(json.csrfToken);
    return json;
  }

  function userOf(json: Record<string, unknown>, url: string): User {
    if (!isRecord(json.user)) {
      throw new DuetApiError(200, UNEXPECTED_RESPONSE, `django-duet: ${url} answered without a "user" object.`);
    }
    return json.user as User;
  }

  return {
    baseUrl: base.href,
    fetch: apiFetch,
    async login(username: string, password: string): Promise<User> {
      return userOf(await call(endpoints.login, "POST", { username, password }), endpoints.login);
    },
    async logout(): Promise<void> {
      await call(endpoints.logout, "POST");
    },
    async me(): Promise<User | null> {
      try {
        const json = await call(endpoints.me, "GET");
        return json.user === null ? null : userOf(json, endpoints.me);
      } catch (error) {
        if (error instanceof DuetApiError && error.status === 401) return null;
        throw error;
      }
    },
  };
}
