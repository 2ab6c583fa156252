import { afterEach, describe, expect, it, vi } from "vitest";
import { CSRF_FAILED, DuetApiError, createClient } from "../../src/client.js";
import { API, PAGE, csrfCalls, deferred, error, fakeDjango, fakeDocument, fakeFetch, json } from "./fakes.js";

afterEach(() => {
  vi.unstubAllGlobals();
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

  it("me() returns the user, null for {user: null} or a 401, and throws on other failures", async () => {
    let answer: Response = json(200, { user: { username: "demo", isStaff: false } });
    const { fetch: fake, seen } = fakeFetch(() => answer);
    const api = createClient<{ username: string; isStaff: boolean }>({ baseUrl: API, fetch: fake });

    expect(await api.me()).toEqual({ username: "demo", isStaff: false });
    answer = json(200, { user: null }); // what me/?anonymous=ok answers: no console error
    expect(await api.me()).toBeNull();
    answer = error(401, "not_authenticated", "Log in first."); // a server without ?anonymous=ok
    expect(await api.me()).toBeNull();
    answer = json(200, {});
    await expect(api.me()).rejects.toMatchObject({ status: 200, code: "unexpected_response" });
    answer = new Response("Bad gateway", { status: 502 });
    await expect(api.me()).rejects.toMatchObject({ status: 502, code: "unexpected_response" });
    expect(
      seen.every(
        (s) => s.method === "GET" && s.url === `${API}/api/auth/me/?anonymous=ok` && s.credentials === "include",
      ),
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
