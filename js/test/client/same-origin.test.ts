import { afterEach, describe, expect, it, vi } from "vitest";
import { CSRF_FAILED, DuetApiError, DuetError, createCsrfFetch, csrfFetch } from "../../src/client.js";
import { PAGE, csrfCalls, deferred, error, fakeDjango, fakeDocument, fakeFetch, json } from "./fakes.js";

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
