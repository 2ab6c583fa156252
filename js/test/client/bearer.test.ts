import { describe, expect, it, vi } from "vitest";
import { createTokenClient } from "../../src/client/bearer.js";
import type { TokenStorage, Tokens } from "../../src/client/bearer.js";
import { DuetApiError, DuetError } from "../../src/client/errors.js";

const API = "https://api.example.test";
const BASE = `${API}/api/auth/`;

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  credentials: string;
  body: string;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function refusal(code: string, status = 401): Response {
  return json(status, { error: { code, message: code } });
}

/** A fake server: records requests, answers with `handle`. Token pairs are numbered. */
function fakeServer(handle?: (seen: Seen, server: { issued: number }) => Response | undefined) {
  const seen: Seen[] = [];
  const server = { issued: 0 };
  const pair = () => {
    server.issued += 1;
    return json(200, {
      token_type: "Bearer",
      access_token: `access-${server.issued}`,
      expires_in: 300,
      refresh_token: `refresh-${server.issued}`,
      refresh_expires_in: 1000,
      user: { username: "ada" },
    });
  };
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    // Let concurrent callers pile up, as on a real network.
    await new Promise((resolve) => setTimeout(resolve, 1));
    const entry: Seen = {
      method: init?.method ?? "GET",
      url: String(input),
      headers: new Headers(init?.headers),
      credentials: init?.credentials ?? "(unset)",
      body: typeof init?.body === "string" ? init.body : "",
    };
    seen.push(entry);
    const custom = handle?.(entry, server);
    if (custom !== undefined) return custom;
    if (entry.url === `${BASE}token/` || entry.url === `${BASE}token/refresh/`) return pair();
    if (entry.url === `${BASE}token/revoke/`) return json(200, { revoked: true });
    if (entry.url === `${BASE}token/revoke-all/`) return json(200, { revoked: 3 });
    return json(200, { auth: entry.headers.get("Authorization") });
  });
  return { fetch, seen, server };
}

function memoryStore(initial: Tokens | null = null, async = false) {
  let value = initial;
  const store: TokenStorage & { value: () => Tokens | null } = {
    get: () => (async ? Promise.resolve(value) : value),
    set: (tokens) => {
      value = tokens;
      return async ? Promise.resolve() : undefined;
    },
    clear: () => {
      value = null;
    },
    value: () => value,
  };
  return store;
}

function setup(options: { handle?: Parameters<typeof fakeServer>[0]; tokens?: Tokens | null; async?: boolean } = {}) {
  let clock = 1_000_000;
  const server = fakeServer(options.handle);
  const store = memoryStore(options.tokens ?? null, options.async);
  const onLoggedOut = vi.fn();
  const client = createTokenClient({ baseUrl: BASE, store, fetch: server.fetch, now: () => clock, onLoggedOut });
  return {
    client,
    store,
    onLoggedOut,
    ...server,
    tick(seconds: number) {
      clock += seconds * 1000;
    },
    urls: () => server.seen.map((s) => s.url.replace(API, "")),
  };
}

describe("login", () => {
  it("stores the pair with expiry times from the answer's arrival, and never sends cookies", async () => {
    const t = setup();
    const user = await t.client.login("ada", "pw");
    expect(user).toEqual({ username: "ada" });
    expect(t.store.value()).toEqual({
      accessToken: "access-1",
      refreshToken: "refresh-1",
      accessExpiresAt: 1_000_000 + 300_000,
      refreshExpiresAt: 1_000_000 + 1_000_000,
    });
    const [request] = t.seen;
    expect(request?.method).toBe("POST");
    expect(request?.credentials).toBe("omit");
    expect(JSON.parse(request?.body ?? "")).toEqual({ username: "ada", password: "pw" });
    expect(request?.headers.get("Authorization")).toBeNull();
  });

  it("throws the server's error code", async () => {
    const t = setup({ handle: (s) => (s.url.endsWith("token/") ? refusal("invalid_credentials") : undefined) });
    const error = await t.client.login("ada", "wrong").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuetApiError);
    expect((error as DuetApiError).code).toBe("invalid_credentials");
    expect(t.store.value()).toBeNull();
  });
});

describe("fetch", () => {
  it("sends the access token, without cookies, to paths of the API's origin", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    const response = await t.client.fetch("/api/notes/", { method: "POST", body: "{}" });
    expect(await response.json()).toEqual({ auth: "Bearer access-1" });
    expect(t.seen[1]?.url).toBe(`${API}/api/notes/`);
    expect(t.seen[1]?.credentials).toBe("omit");
    expect(t.seen[1]?.body).toBe("{}");
  });

  it("keeps the caller's headers", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    await t.client.fetch("/api/notes/", { headers: { "X-Trace": "1" } });
    expect(t.seen[1]?.headers.get("X-Trace")).toBe("1");
  });

  it("refuses to send the token to another origin", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    await expect(t.client.fetch("https://evil.example/steal")).rejects.toThrow(/refusing to send the access token/);
    expect(t.seen).toHaveLength(1);
  });

  it("says so when not logged in", async () => {
    const t = setup();
    await expect(t.client.fetch("/api/notes/")).rejects.toBeInstanceOf(DuetError);
    expect(t.seen).toHaveLength(0);
  });

  it("works with an asynchronous store", async () => {
    const t = setup({ async: true });
    await t.client.login("ada", "pw");
    t.tick(290);
    await t.client.fetch("/api/notes/");
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/auth/token/refresh/", "/api/notes/"]);
  });
});

describe("refresh", () => {
  it("does not refresh while the access token has more than the leeway left", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    t.tick(269);
    await t.client.fetch("/api/notes/");
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/notes/"]);
  });

  it("refreshes before expiry and sends the refresh token once", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    t.tick(271); // 29 s left, under the 30 s leeway
    const response = await t.client.fetch("/api/notes/");
    expect(await response.json()).toEqual({ auth: "Bearer access-2" });
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/auth/token/refresh/", "/api/notes/"]);
    expect(JSON.parse(t.seen[1]?.body ?? "")).toEqual({ refresh_token: "refresh-1" });
    expect(t.store.value()?.refreshToken).toBe("refresh-2");
  });

  it("is single flight under parallel requests", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    t.tick(300);
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.client.fetch("/api/notes/")));
    const auths = await Promise.all(answers.map(async (r) => ((await r.json()) as { auth: string }).auth));
    expect(new Set(auths)).toEqual(new Set(["Bearer access-2"]));
    expect(t.urls().filter((u) => u.endsWith("token/refresh/"))).toHaveLength(1);
  });

  it("refreshes once and retries once when the server says token_expired (clock skew)", async () => {
    const t = setup({
      handle: (s) =>
        s.url.endsWith("/api/notes/") && s.headers.get("Authorization") === "Bearer access-1"
          ? refusal("token_expired")
          : undefined,
    });
    await t.client.login("ada", "pw");
    const answers = await Promise.all([t.client.fetch("/api/notes/"), t.client.fetch("/api/notes/")]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(t.urls().filter((u) => u.endsWith("token/refresh/"))).toHaveLength(1);
  });

  it("does not loop when the fresh token is refused too", async () => {
    const t = setup({ handle: (s) => (s.url.endsWith("/api/notes/") ? refusal("token_expired") : undefined) });
    await t.client.login("ada", "pw");
    const response = await t.client.fetch("/api/notes/");
    expect(response.status).toBe(401);
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/notes/", "/api/auth/token/refresh/", "/api/notes/"]);
  });

  it("leaves other 401s to the caller", async () => {
    const t = setup({ handle: (s) => (s.url.endsWith("/api/notes/") ? refusal("token_revoked") : undefined) });
    await t.client.login("ada", "pw");
    const response = await t.client.fetch("/api/notes/");
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("token_revoked");
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/notes/"]);
  });

  it("does not retry a body that cannot be sent twice", async () => {
    const t = setup({ handle: (s) => (s.url.endsWith("/api/notes/") ? refusal("token_expired") : undefined) });
    await t.client.login("ada", "pw");
    const stream = new ReadableStream({ start: (c) => c.close() });
    const response = await t.client.fetch("/api/notes/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(response.status).toBe(401);
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/notes/"]);
  });

  it.each(["refresh_reused", "refresh_revoked", "refresh_expired", "user_inactive"])(
    "clears the store and reports the logout when the server answers %s",
    async (code) => {
      const t = setup({ handle: (s) => (s.url.endsWith("token/refresh/") ? refusal(code) : undefined) });
      await t.client.login("ada", "pw");
      t.tick(300);
      const error = await t.client.fetch("/api/notes/").catch((e: unknown) => e);
      expect((error as DuetApiError).code).toBe(code);
      expect(t.store.value()).toBeNull();
      expect(t.onLoggedOut).toHaveBeenCalledWith(error);
    },
  );

  it("keeps the tokens when the refresh fails for a passing reason", async () => {
    let down = true;
    const t = setup({
      handle: (s) => (s.url.endsWith("token/refresh/") && down ? json(503, { error: { code: "x", message: "down" } }) : undefined),
    });
    await t.client.login("ada", "pw");
    t.tick(300);
    await expect(t.client.fetch("/api/notes/")).rejects.toBeInstanceOf(DuetApiError);
    expect(t.store.value()?.refreshToken).toBe("refresh-1");
    expect(t.onLoggedOut).not.toHaveBeenCalled();
    down = false;
    expect((await t.client.fetch("/api/notes/")).status).toBe(200);
  });
});

describe("logout", () => {
  it("revokes this device's refresh token and clears the store", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    await t.client.logout();
    expect(t.urls()).toEqual(["/api/auth/token/", "/api/auth/token/revoke/"]);
    expect(JSON.parse(t.seen[1]?.body ?? "")).toEqual({ refresh_token: "refresh-1" });
    expect(t.store.value()).toBeNull();
  });

  it("clears the store even when the server cannot be reached", async () => {
    const t = setup({
      handle: (s) => {
        if (s.url.endsWith("token/revoke/")) throw new TypeError("network down");
        return undefined;
      },
    });
    await t.client.login("ada", "pw");
    await expect(t.client.logout()).rejects.toThrow("network down");
    expect(t.store.value()).toBeNull();
  });

  it("logs every device out with the access token", async () => {
    const t = setup();
    await t.client.login("ada", "pw");
    expect(await t.client.logoutAllDevices()).toBe(3);
    expect(t.seen[1]?.headers.get("Authorization")).toBe("Bearer access-1");
    expect(t.seen[1]?.method).toBe("POST");
    expect(t.store.value()).toBeNull();
  });
});

it("refuses a baseUrl that is not http(s)", () => {
  expect(() => createTokenClient({ baseUrl: "file:///x/", store: memoryStore() })).toThrow(DuetError);
});
