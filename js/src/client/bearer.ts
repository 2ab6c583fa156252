/**
 * Token mode of `django-duet/client`, for apps that cannot use cookies (Cordova, Capacitor,
 * Electron, React Native): `createTokenClient({ baseUrl, store })` logs in at `token/`, sends
 * `Authorization: Bearer <access token>` on every call, refreshes the access token before it
 * expires, and hands the pair to a store the app provides (see docs/tokens.md).
 *
 * Refresh tokens are single use on the server: presenting one twice revokes the whole login
 * (theft detection). So refreshing is single flight: however many requests need a fresh access
 * token at once, one refresh is sent and they all wait for it.
 */
import { DuetApiError, DuetError, UNEXPECTED_RESPONSE, isRecord } from "./errors.js";
import { globalFetch } from "./env.js";
import type { FetchLike } from "./env.js";
import { errorCode, readRecord, requestJson, singleFlight } from "./request.js";

/** What the store keeps. Times are milliseconds since the epoch, on this device's clock. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

/**
 * Where the app keeps the tokens: the platform's secure storage (Keychain, Keystore, Electron's
 * safeStorage), never `localStorage` on the web. Each method may be synchronous or return a Promise.
 */
export interface TokenStorage {
  get(): Promise<Tokens | null> | Tokens | null;
  set(tokens: Tokens): Promise<void> | void;
  clear(): Promise<void> | void;
}

export interface TokenClientOptions {
  /** Where `django_duet.urls` is mounted, e.g. "https://api.example.com/api/auth/". */
  baseUrl: string;
  store: TokenStorage;
  /** Refresh when the access token has fewer seconds left than this (default 30). */
  refreshLeewaySeconds?: number;
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchLike;
  /** The clock, in milliseconds (default `Date.now`); tests pass their own. */
  now?: () => number;
  /** Called when the server ends the login (refresh refused): show the login screen. */
  onLoggedOut?: (reason: DuetApiError) => void;
}

export interface TokenClient {
  /** Log in; stores the tokens and answers the user as `token/` shows it. */
  login(username: string, password: string): Promise<Record<string, unknown>>;
  /** `fetch` for the API's origin, with a valid access token (refreshed first when needed). */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>;
  /** A valid access token, refreshed first when it is about to expire. */
  accessToken(): Promise<string>;
  /** Refresh now (single flight: concurrent calls share one request). */
  refresh(): Promise<Tokens>;
  /** Log this device out: revokes its refresh token on the server and clears the store. */
  logout(): Promise<void>;
  /** Log every device of the user out (this one too); answers how many logins ended. */
  logoutAllDevices(): Promise<number>;
}

/** Refusals of `token/refresh/` after which only a new login helps: the store is cleared. */
const LOGIN_ENDED = new Set(["refresh_invalid", "refresh_expired", "refresh_revoked", "refresh_reused", "user_inactive"]);
const DEFAULT_LEEWAY_SECONDS = 30;

export function createTokenClient(options: TokenClientOptions): TokenClient {
  const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new DuetError(`django-duet: baseUrl ${JSON.stringify(options.baseUrl)} must be an http(s) URL.`);
  }
  const { store } = options;
  const now = options.now ?? Date.now;
  const leewayMs = (options.refreshLeewaySeconds ?? DEFAULT_LEEWAY_SECONDS) * 1000;
  const send: FetchLike = (input, init) => (options.fetch ?? globalFetch())(input, { ...init, credentials: "omit" }); // never a cookie

  function post(path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
    const url = new URL(path, base).toString();
    return requestJson(send, url, { method: "POST", body, what: `${what} (POST ${url})` });
  }

  function tokensFrom(body: Record<string, unknown>, receivedAt: number): Tokens {
    const { access_token, refresh_token, expires_in, refresh_expires_in } = body;
    if (
      typeof access_token !== "string" ||
      typeof refresh_token !== "string" ||
      typeof expires_in !== "number" ||
      typeof refresh_expires_in !== "number"
    ) {
      throw new DuetApiError(200, UNEXPECTED_RESPONSE, "django-duet: the token answer lacks access_token, refresh_token or their lifetimes.");
    }
    return {
      accessToken: access_token,
      refreshToken: refresh_token,
      // From the time of the answer, not the token's exp: the device's clock may be off.
      accessExpiresAt: receivedAt + expires_in * 1000,
      refreshExpiresAt: receivedAt + refresh_expires_in * 1000,
    };
  }

  async function current(): Promise<Tokens> {
    const tokens = await store.get();
    if (tokens === null) throw new DuetError("django-duet: not logged in: call login() first.");
    return tokens;
  }

  async function refreshOnce(): Promise<Tokens> {
    const { refreshToken } = await current();
    let body: Record<string, unknown>;
    try {
      body = await post("token/refresh/", { refresh_token: refreshToken }, "the token refresh endpoint");
    } catch (error) {
      if (error instanceof DuetApiError && LOGIN_ENDED.has(error.code)) {
        await store.clear();
        options.onLoggedOut?.(error);
      }
      throw error; // a network error or a 5xx keeps the tokens: the next call tries again
    }
    const tokens = tokensFrom(body, now());
    await store.set(tokens);
    return tokens;
  }

  const refreshing = singleFlight(refreshOnce);
  const refresh = (): Promise<Tokens> => refreshing.run();

  async function accessToken(): Promise<string> {
    if (refreshing.pending !== undefined) return (await refreshing.pending).accessToken;
    const tokens = await current();
    if (tokens.accessExpiresAt - leewayMs > now()) return tokens.accessToken;
    return (await refresh()).accessToken;
  }

  async function apiFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input, base);
    if (url.origin !== base.origin) {
      throw new DuetError(
        `django-duet: refusing to send the access token to ${url.origin}: it is only for ${base.origin}. ` +
          "Use plain fetch for other origins.",
      );
    }
    const call = (token: string): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${token}`);
      return send(url.toString(), { ...init, headers });
    };
    const token = await accessToken();
    const response = await call(token);
    if (response.status !== 401 || !replayable(init.body) || (await errorCode(response)) !== "token_expired") {
      return response;
    }
    // Expired earlier than this device's clock said (clock skew): refresh, unless another call
    // already did, and retry once.
    const latest = await current();
    const fresh = latest.accessToken !== token ? latest.accessToken : (await refresh()).accessToken;
    return call(fresh);
  }

  return {
    async login(username, password) {
      const body = await post("token/", { username, password }, "the token login endpoint");
      await store.set(tokensFrom(body, now()));
      return isRecord(body.user) ? body.user : {};
    },
    fetch: apiFetch,
    accessToken,
    refresh,
    async logout() {
      const tokens = await store.get();
      try {
        if (tokens !== null) await post("token/revoke/", { refresh_token: tokens.refreshToken }, "the token revoke endpoint");
      } finally {
        await store.clear(); // logged out on this device even when the server is unreachable
      }
    },
    async logoutAllDevices() {
      const url = new URL("token/revoke-all/", base);
      const response = await apiFetch(url, { method: "POST" });
      const body = await readRecord(response, { what: `the revoke-all endpoint (POST ${url.href})` });
      await store.clear();
      return typeof body.revoked === "number" ? body.revoked : 0;
    },
  };
}

/** A body that can be sent twice (a stream is consumed by the first attempt). */
function replayable(body: RequestInit["body"]): boolean {
  return body === undefined || body === null || typeof body === "string" || body instanceof URLSearchParams;
}
