import { afterEach, describe, expect, it, vi } from "vitest";
import { CSRF_FAILED, DuetApiError, DuetError, createClient, createCsrfFetch, csrfFetch } from "../src/client.js";
import type { DocumentLike, FetchLike } from "../src/client.js";
import { TokenStore } from "../src/client/token.js";

const PAGE = "https://app.example.test";
const API = "https://api.example.test";

/** One request as the fake server saw it. */
interface Seen {
  method: string;
  url: string;
  headers: Headers;
  credentials: string;
  body: string;
}

type Handler = (seen: Seen) => Response | Promise<Response>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function error(status: number, code: string, message = code): Response {
  return json(status, { error: { code, message } });
}

/**
 * A fake `fetch` that records every request. Relative URLs resolve against the page, as in a
 * browser; `credentials` is recorded as given ("(unset)" when the caller left it out).
 */
function fakeFetch(handler: Handler): { fetch: FetchLike; seen: Seen[] } {
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
function fakeDjango(options: { headerName?: string; cookieName?: string; token?: string } = {}) {
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

function fakeDocument(cookie = "", meta?: string): DocumentLike & { cookie: string } {
  return {
    cookie,
    baseURI: `${PAGE}/page/`,
    location: { origin: PAGE },
    querySelector: (selectors) =>
      selectors === 'meta[name="duet-csrf"]' && meta !== undefined ? { getAttribute: () => meta } : null,
  };
}

const csrfCalls = (seen: Seen[]): Seen[] => seen.filter((s) => s.url.endsWith("/csrf/"));

/** A promise with its resolve function, to hold a fake answer until the test releases it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("csrfFetch (same origin)", () => {
  it("sends the token from the cookie, without calling the endpoint", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("theme=dark; csrftoken=token-1") });

    const response = await fetch("/api/items/", { method: "POST", body: "x" });

    expect(response.status).toBe(200);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers.get("X-CSRFToken")).toBe("token-1");
    expect(server.seen[0]?.credentials).toBe("same-origin");
  });

  it("fetches the endpoint when there is no cookie, then reuses the answer", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("") });

    await fetch("/api/items/", { method: "POST" });
    await fetch("/api/items/1/", { method: "DELETE" });

    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET ${PAGE}/api/auth/csrf/`,
      `POST ${PAGE}/api/items/`,
      `DELETE ${PAGE}/api/items/1/`,
    ]);
    expect(server.seen[0]?.credentials).toBe("same-origin");
    expect(server.seen[1]?.headers.get("X-CSRFToken")).toBe("token-1");
    expect(server.seen[2]?.headers.get("X-CSRFToken")).toBe("token-1");
  });

  it("uses a configured endpoint", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument(), csrfEndpoint: "/auth/csrf/" });
    await fetch("/api/items/", { method: "POST" });
    expect(server.seen[0]?.url).toBe(`${PAGE}/auth/csrf/`);
  });

  it("learns the header and cookie names from the endpoint's answer", async () => {
    const server = fakeDjango({ headerName: "X-Custom-CSRF", cookieName: "custom_csrf" });
    const doc = fakeDocument("");
    const fetch = createCsrfFetch({ fetch: server.fetch, document: doc });

    await fetch("/api/items/", { method: "POST" });
    expect(server.seen[1]?.headers.get("X-Custom-CSRF")).toBe("token-1");
    expect(server.seen[1]?.headers.has("X-CSRFToken")).toBe(false);

    // From now on the cookie is read under the learned name (and wins over the cached answer).
    doc.cookie = "csrftoken=not-this-one; custom_csrf=token-7";
    server.state.token = "token-7";
    expect((await fetch("/api/items/", { method: "POST" })).status).toBe(200);
    expect(csrfCalls(server.seen)).toHaveLength(1);
    expect(server.seen[2]?.headers.get("X-Custom-CSRF")).toBe("token-7");
  });

  it("takes the names from <meta name=duet-csrf>, in HTTP or Django spelling", async () => {
    const server = fakeDjango({ headerName: "X-My-Token", token: "m1" });
    const meta = '{"headerName": "HTTP_X_MY_TOKEN", "cookieName": "mycsrf"}';
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=wrong; mycsrf=m1", meta) });

    const response = await fetch("/api/items/", { method: "PUT" });

    expect(response.status).toBe(200);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers.get("X-My-Token")).toBe("m1");
  });

  it("takes the endpoint from <meta name=duet-csrf>", async () => {
    const server = fakeDjango();
    const meta = '{"csrfEndpoint": "/accounts/api/csrf/"}';
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("", meta) });
    await fetch("/api/items/", { method: "POST" });
    expect(server.seen[0]?.url).toBe(`${PAGE}/accounts/api/csrf/`);
  });

  it("refuses a malformed <meta name=duet-csrf> with a message that says how to write it", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("", "headerName=X") });
    await expect(fetch("/api/items/", { method: "POST" })).rejects.toThrow(
      /content of <meta name="duet-csrf"> is not a JSON object.*Write it as content='\{"headerName"/,
    );
    expect(server.seen).toHaveLength(0);
  });

  it("refreshes once and retries once on csrf_failed", async () => {
    const server = fakeDjango();
    server.state.token = "token-2"; // rotated by a login in another tab; this tab's cookie is stale
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=token-1") });

    const response = await fetch("/api/items/", { method: "POST", body: "payload" });

    expect(response.status).toBe(200);
    expect(server.seen.map((s) => `${s.method} ${s.headers.get("X-CSRFToken") ?? "-"}`)).toEqual([
      "POST token-1",
      "GET -",
      "POST token-2",
    ]);
    expect(server.seen[2]?.body).toBe("payload");
  });

  it("retries with a cookie that changed meanwhile, without calling the endpoint", async () => {
    const doc = fakeDocument("csrftoken=token-1");
    const { fetch: fake, seen } = fakeFetch((s) => {
      if (s.headers.get("X-CSRFToken") === "token-2") return json(200, {});
      doc.cookie = "csrftoken=token-2"; // another tab logged in while this request was on its way
      return error(403, CSRF_FAILED);
    });
    const response = await createCsrfFetch({ fetch: fake, document: doc })("/api/items/", { method: "POST" });
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.headers.get("X-CSRFToken"))).toEqual(["token-1", "token-2"]);
  });

  it("does not retry a 403 that is not a CSRF failure, and leaves its body readable", async () => {
    const { fetch: fake, seen } = fakeFetch(() => error(403, "permission_denied", "Not allowed."));
    const fetch = createCsrfFetch({ fetch: fake, document: fakeDocument("csrftoken=t") });

    const response = await fetch("/api/items/", { method: "POST" });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "permission_denied", message: "Not allowed." } });
    expect(seen).toHaveLength(1);
  });

  it("does not retry a 403 without a JSON body", async () => {
    const { fetch: fake, seen } = fakeFetch(() => new Response("<h1>Forbidden (403)</h1>", { status: 403 }));
    const response = await createCsrfFetch({ fetch: fake, document: fakeDocument("csrftoken=t") })("/x/", {
      method: "POST",
    });
    expect(response.status).toBe(403);
    expect(seen).toHaveLength(1);
  });

  it("returns a second csrf_failed to the caller instead of looping", async () => {
    const { fetch: fake, seen } = fakeFetch((s) =>
      s.url.endsWith("/csrf/") ? json(200, { csrfToken: "fresh" }) : error(403, CSRF_FAILED, "Origin checking failed."),
    );
    const fetch = createCsrfFetch({ fetch: fake, document: fakeDocument("csrftoken=old") });

    const response = await fetch("/api/items/", { method: "POST" });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: CSRF_FAILED, message: "Origin checking failed." } });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST ${PAGE}/api/items/`,
      `GET ${PAGE}/api/auth/csrf/`,
      `POST ${PAGE}/api/items/`,
    ]);
  });

  it("makes one endpoint call for parallel requests without a token", async () => {
    const gate = deferred();
    const server = fakeDjango();
    const { fetch: fake, seen } = fakeFetch(async (s) => {
      if (s.url.endsWith("/csrf/")) await gate.promise;
      return server.fetch(s.url, { method: s.method, headers: s.headers, body: s.body === "" ? null : s.body });
    });
    const fetch = createCsrfFetch({ fetch: fake, document: fakeDocument("") });

    const pending = Promise.all([1, 2, 3, 4, 5].map((n) => fetch(`/api/items/${n}/`, { method: "POST" })));
    await vi.waitFor(() => expect(csrfCalls(seen)).toHaveLength(1));
    gate.resolve();
    const responses = await pending;

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(csrfCalls(seen)).toHaveLength(1);
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(5);
  });

  it("sends no token with safe methods, and needs none", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("") });

    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) await fetch("/api/items/", { method });
    await fetch("/api/items/");

    expect(server.seen).toHaveLength(5);
    expect(server.seen.every((s) => !s.headers.has("X-CSRFToken"))).toBe(true);
    expect(csrfCalls(server.seen)).toHaveLength(0);
  });

  it("sends no token to another origin, and passes the request through untouched", async () => {
    const { fetch: fake, seen } = fakeFetch(() => json(200, {}));
    const fetch = createCsrfFetch({ fetch: fake, document: fakeDocument("csrftoken=secret") });

    await fetch("https://tracker.example.net/collect", { method: "POST", body: "x" });
    await fetch(new URL("https://app.example.test.evil.example/x"), { method: "POST" });
    await fetch("//cdn.example.net/upload", { method: "PUT" });

    expect(seen).toHaveLength(3);
    expect(seen.every((s) => !s.headers.has("X-CSRFToken"))).toBe(true);
    expect(seen.every((s) => s.credentials === "(unset)")).toBe(true);
  });

  it("keeps the caller's headers and credentials, in every HeadersInit form", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=token-1") });

    await fetch("/a/", { method: "POST", headers: { "Content-Type": "application/json", "X-Trace": "1" } });
    await fetch("/b/", { method: "POST", headers: new Headers({ "X-Trace": "2" }), credentials: "include" });
    await fetch("/c/", { method: "POST", headers: [["X-Trace", "3"]] });

    expect(server.seen.map((s) => s.headers.get("X-Trace"))).toEqual(["1", "2", "3"]);
    expect(server.seen[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(server.seen.map((s) => s.credentials)).toEqual(["same-origin", "include", "same-origin"]);
    expect(server.seen.every((s) => s.headers.get("X-CSRFToken") === "token-1")).toBe(true);
  });

  it("does not overwrite a token header the caller set, nor retry it", async () => {
    const server = fakeDjango();
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=token-1") });

    const response = await fetch("/api/items/", { method: "POST", headers: { "x-csrftoken": "mine" } });

    expect(response.status).toBe(403);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers.get("X-CSRFToken")).toBe("mine");
  });

  it("does not retry a ReadableStream body, and returns the 403", async () => {
    const server = fakeDjango();
    server.state.token = "token-2";
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=token-1") });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });

    const response = await fetch("/api/upload/", { method: "POST", body, duplex: "half" } as RequestInit);

    expect(response.status).toBe(403);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.body).toBe("streamed");
  });

  it("retries a Request object with its body", async () => {
    const server = fakeDjango();
    server.state.token = "token-2";
    const fetch = createCsrfFetch({ fetch: server.fetch, document: fakeDocument("csrftoken=token-1") });
    const request = new Request(`${PAGE}/api/items/`, {
      method: "PATCH",
      body: '{"name": "x"}',
      headers: { "X-Trace": "req" },
    });

    const response = await fetch(request);

    expect(response.status).toBe(200);
    const patches = server.seen.filter((s) => s.method === "PATCH");
    expect(patches.map((s) => [s.body, s.headers.get("X-Trace"), s.headers.get("X-CSRFToken")])).toEqual([
      ['{"name": "x"}', "req", "token-1"],
      ['{"name": "x"}', "req", "token-2"],
    ]);
  });

  it("explains a CSRF endpoint that is not there", async () => {
    const { fetch: fake } = fakeFetch(() => new Response("<h1>Not Found</h1>", { status: 404 }));
    const fetch = createCsrfFetch({ fetch: fake, document: fakeDocument("") });
    const failure = fetch("/api/items/", { method: "POST" });
    await expect(failure).rejects.toBeInstanceOf(DuetApiError);
    await expect(failure).rejects.toMatchObject({ status: 404, code: "unexpected_response" });
    await expect(failure).rejects.toThrow(/GET https:\/\/app\.example\.test\/api\/auth\/csrf\/.*django_duet\.urls/);
  });

  it("the default csrfFetch uses the global fetch and document", async () => {
    const server = fakeDjango();
    vi.stubGlobal("fetch", server.fetch);
    vi.stubGlobal("document", fakeDocument("csrftoken=token-1"));

    await csrfFetch("/api/items/", { method: "POST" });

    expect(server.seen[0]?.headers.get("X-CSRFToken")).toBe("token-1");
  });

  it("says what to do when there is no document", async () => {
    await expect(createCsrfFetch({ fetch: fakeDjango().fetch })("/x/")).rejects.toThrow(DuetError);
    await expect(createCsrfFetch({ fetch: fakeDjango().fetch })("/x/")).rejects.toThrow(
      /no document here.*pass \{ document \} to createCsrfFetch\(\)/,
    );
  });
});

describe("createClient (API on another origin)", () => {
  it("uses the endpoint's token, cached in memory, and credentials include", async () => {
    const server = fakeDjango();
    // The page's own cookie is not the API's: the client must not read it.
    vi.stubGlobal("document", fakeDocument("csrftoken=page-cookie"));
    const api = createClient({ baseUrl: `${API}/v1`, fetch: server.fetch });

    await api.fetch("items/", { method: "POST" });
    await api.fetch("/v1/items/2/", { method: "PUT" });
    await api.fetch("items/");

    expect(api.baseUrl).toBe(`${API}/v1/`);
    expect(
      server.seen.map((s) => `${s.method} ${s.url} ${s.credentials} ${s.headers.get("X-CSRFToken") ?? "-"}`),
    ).toEqual([
      `GET ${API}/api/auth/csrf/ include -`,
      `POST ${API}/v1/items/ include token-1`,
      `PUT ${API}/v1/items/2/ include token-1`,
      `GET ${API}/v1/items/ include -`,
    ]);
  });

  it("honours authPrefix, csrfEndpoint and credentials options", async () => {
    const server = fakeDjango();
    const api = createClient({
      baseUrl: API,
      authPrefix: "auth",
      csrfEndpoint: "/security/csrf/",
      credentials: "same-origin",
      fetch: server.fetch,
    });
    await api.login("demo", "right");
    expect(server.seen.map((s) => `${s.method} ${s.url} ${s.credentials}`)).toEqual([
      `GET ${API}/security/csrf/ same-origin`,
      `POST ${API}/auth/login/ same-origin`,
    ]);
  });

  it("learns the header name from the endpoint", async () => {
    const server = fakeDjango({ headerName: "X-Api-CSRF" });
    const api = createClient({ baseUrl: API, fetch: server.fetch });
    const response = await api.fetch("/things/", { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(server.seen[1]?.headers.get("X-Api-CSRF")).toBe("token-1");
  });

  it("login and logout replace the cached token with the one in their answers", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });

    const user = await api.login("demo", "right");
    expect(user).toEqual({ username: "demo" });
    expect(JSON.parse(server.seen[1]?.body ?? "{}")).toEqual({ username: "demo", password: "right" });
    expect(server.seen[1]?.headers.get("Content-Type")).toBe("application/json");
    await api.fetch("/items/", { method: "POST" });
    await api.logout();
    await api.fetch("/items/", { method: "POST" });

    expect(csrfCalls(server.seen)).toHaveLength(1);
    expect(
      server.seen.map((s) => `${s.method} ${new URL(s.url).pathname} ${s.headers.get("X-CSRFToken") ?? "-"}`),
    ).toEqual([
      "GET /api/auth/csrf/ -",
      "POST /api/auth/login/ token-1",
      "POST /items/ token-2",
      "POST /api/auth/logout/ token-2",
      "POST /items/ token-3",
    ]);
  });

  it("throws DuetApiError with the server's code for a wrong password or throttling", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });

    const wrong = await api.login("demo", "wrong").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DuetApiError);
    expect(wrong).toMatchObject({ status: 400, code: "invalid_credentials", message: "Wrong username or password." });

    const { fetch: throttled } = fakeFetch((s) =>
      s.url.endsWith("/csrf/") ? json(200, { csrfToken: "t" }) : error(429, "throttled", "Too many attempts."),
    );
    await expect(createClient({ baseUrl: API, fetch: throttled }).login("demo", "x")).rejects.toMatchObject({
      status: 429,
      code: "throttled",
    });
  });

  it("me() returns the user, null on 401, and throws on other failures", async () => {
    let answer: Response = json(200, { user: { username: "demo", isStaff: false } });
    const { fetch: fake, seen } = fakeFetch(() => answer);
    const api = createClient<{ username: string; isStaff: boolean }>({ baseUrl: API, fetch: fake });

    expect(await api.me()).toEqual({ username: "demo", isStaff: false });
    answer = error(401, "not_authenticated", "Log in first.");
    expect(await api.me()).toBeNull();
    answer = new Response("Bad gateway", { status: 502 });
    await expect(api.me()).rejects.toMatchObject({ status: 502, code: "unexpected_response" });
    expect(
      seen.every((s) => s.method === "GET" && s.url === `${API}/api/auth/me/` && s.credentials === "include"),
    ).toBe(true);
  });

  it("refreshes once and retries once on csrf_failed, and never loops", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });
    await api.fetch("/items/", { method: "POST" });
    server.rotate(); // a login in another tab

    expect((await api.fetch("/items/", { method: "POST" })).status).toBe(200);
    expect(csrfCalls(server.seen)).toHaveLength(2);
    expect(server.seen.at(-1)?.headers.get("X-CSRFToken")).toBe("token-2");

    // A server that refuses every token: one refresh, one retry, then the 403 comes back.
    const { fetch: refusing, seen } = fakeFetch((s) =>
      s.url.endsWith("/csrf/") ? json(200, { csrfToken: `t${seen.length}` }) : error(403, CSRF_FAILED),
    );
    const stuck = createClient({ baseUrl: API, fetch: refusing });
    expect((await stuck.fetch("/items/", { method: "POST" })).status).toBe(403);
    expect(seen.map((s) => s.method)).toEqual(["GET", "POST", "GET", "POST"]);
  });

  it("makes one refresh call when parallel requests are refused together", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });
    await api.fetch("/items/", { method: "POST" });
    server.rotate();

    const responses = await Promise.all([1, 2, 3].map((n) => api.fetch(`/items/${n}/`, { method: "POST" })));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(csrfCalls(server.seen)).toHaveLength(2);
  });

  it("retries with the token of a login that finished meanwhile, without calling the endpoint", async () => {
    const server = fakeDjango();
    const gate = deferred();
    const { fetch: fake, seen } = fakeFetch(async (s) => {
      // The first save is held at the server until the login has rotated the token.
      if (s.url.endsWith("/items/") && s.headers.get("X-CSRFToken") === "token-1") await gate.promise;
      return server.fetch(s.url, { method: s.method, headers: s.headers, body: s.body === "" ? null : s.body });
    });
    const api = createClient({ baseUrl: API, fetch: fake });

    const save = api.fetch("/items/", { method: "POST" });
    await vi.waitFor(() => expect(seen.filter((s) => s.method === "POST")).toHaveLength(1));
    await api.login("demo", "right");
    gate.resolve();

    expect((await save).status).toBe(200);
    expect(csrfCalls(seen)).toHaveLength(1);
    expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname} ${s.headers.get("X-CSRFToken") ?? "-"}`)).toEqual([
      "GET /api/auth/csrf/ -",
      "POST /items/ token-1",
      "POST /api/auth/login/ token-1",
      "POST /items/ token-2",
    ]);
  });

  it("holds new requests while a refresh is under way, instead of sending the stale token", async () => {
    const server = fakeDjango();
    const gate = deferred();
    let held = false;
    const { fetch: fake, seen } = fakeFetch(async (s) => {
      if (s.url.endsWith("/csrf/") && held) await gate.promise;
      return server.fetch(s.url, { method: s.method, headers: s.headers });
    });
    const api = createClient({ baseUrl: API, fetch: fake });
    await api.fetch("/items/", { method: "POST" });
    server.rotate();
    held = true;

    const first = api.fetch("/items/a/", { method: "POST" });
    await vi.waitFor(() => expect(csrfCalls(seen)).toHaveLength(2));
    const second = api.fetch("/items/b/", { method: "POST" });
    gate.resolve();

    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect(seen.filter((s) => s.url.endsWith("/items/b/")).map((s) => s.headers.get("X-CSRFToken"))).toEqual([
      "token-2",
    ]);
  });

  it("sends no token and no credentials to another origin", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });
    await api.fetch(`${PAGE}/elsewhere/`, { method: "POST" });
    await api.fetch(new URL("https://api.example.test:8443/x/"), { method: "POST" });

    expect(server.seen).toHaveLength(2);
    expect(server.seen.every((s) => !s.headers.has("X-CSRFToken") && s.credentials === "(unset)")).toBe(true);
  });

  it("keeps the caller's headers", async () => {
    const server = fakeDjango();
    const api = createClient({ baseUrl: API, fetch: server.fetch });
    await api.fetch("/items/", { method: "POST", headers: { Authorization: "Bearer abc", "X-Trace": "7" } });
    const post = server.seen[1];
    expect([
      post?.headers.get("Authorization"),
      post?.headers.get("X-Trace"),
      post?.headers.get("X-CSRFToken"),
    ]).toEqual(["Bearer abc", "7", "token-1"]);
  });

  it("uses the global fetch when none is given", async () => {
    const server = fakeDjango();
    vi.stubGlobal("fetch", server.fetch);
    await createClient({ baseUrl: API }).fetch("/items/", { method: "POST" });
    expect(server.seen.map((s) => s.method)).toEqual(["GET", "POST"]);
  });

  it("refuses a relative baseUrl with a message that says what to pass", () => {
    expect(() => createClient({ baseUrl: "/api/" })).toThrow(
      /needs an absolute URL, e\.g\. "https:\/\/api\.example\.com\/"/,
    );
  });
});

describe("TokenStore", () => {
  it("keeps a token set while the endpoint was being called, over the endpoint's older answer", async () => {
    let answer = (_: string): void => undefined;
    const store = new TokenStore(() => new Promise<string>((resolve) => (answer = resolve)));

    const pending = store.get();
    store.set("from-login");
    answer("from-endpoint");

    expect((await pending).value).toBe("from-login");
    expect((await store.get()).value).toBe("from-login");
  });
});
