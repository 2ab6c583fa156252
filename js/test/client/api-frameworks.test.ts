/**
 * CSRF refusals written by Django REST framework and django-ninja: their views check CSRF
 * themselves and never reach Django's CSRF_FAILURE_VIEW, so the client must recognise their own
 * answers to refresh the token and retry once. The bodies are the frameworks' exact ones.
 */
import { describe, expect, it } from "vitest";
import { createClient, createCsrfFetch } from "../../src/client.js";
import { isCsrfRefusal } from "../../src/client/csrf-send.js";
import type { FetchLike } from "../../src/client.js";
import { API, PAGE, fakeDocument, fakeFetch, json } from "./fakes.js";
import type { Seen } from "./fakes.js";

// DRF: rest_framework.authentication.SessionAuthentication.enforce_csrf, default exception handler.
const DRF_REFUSAL = { detail: "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect." };
const DRF_MISSING = { detail: "CSRF Failed: CSRF token missing." };
// django-ninja: ninja.security.apikey.APIKeyCookie (django_auth), default HttpError handler.
const NINJA_REFUSAL = { detail: "CSRF check Failed" };

const FRAMEWORKS = [
  ["DRF", DRF_REFUSAL],
  ["django-ninja", NINJA_REFUSAL],
] as const;

/**
 * A DRF- or ninja-like API: unsafe requests with the current token are stored (`writes`), others
 * are refused with `refusal`. The CSRF endpoint is django-duet's.
 */
function fakeApi(refusal: unknown, token = "token-2") {
  const writes: string[] = [];
  const state = { token };
  const { fetch, seen } = fakeFetch((s: Seen) => {
    if (s.url.endsWith("/csrf/")) return json(200, { csrfToken: state.token });
    if (s.headers.get("X-CSRFToken") !== state.token) return json(403, refusal);
    writes.push(s.body);
    return json(201, { text: s.body });
  });
  return { fetch, seen, writes, state };
}

const posts = (seen: Seen[]): string[] =>
  seen.filter((s) => s.method === "POST").map((s) => s.headers.get("X-CSRFToken") ?? "-");

describe.each(FRAMEWORKS)("a %s CSRF refusal", (_name, refusal) => {
  it("csrfFetch refreshes the token once, retries once, and the write is stored once", async () => {
    const api = fakeApi(refusal);
    // The cookie cannot be read (CSRF_COOKIE_HTTPONLY): the token lives in memory and goes stale.
    const fetch = createCsrfFetch({ fetch: api.fetch, document: fakeDocument("") });
    expect((await fetch("/api/notes/", { method: "POST", body: "first" })).status).toBe(201);
    api.state.token = "token-3"; // a login in another tab rotated it

    const response = await fetch("/api/notes/", { method: "POST", body: "second" });

    expect(response.status).toBe(201);
    expect(posts(api.seen)).toEqual(["token-2", "token-2", "token-3"]);
    expect(api.writes).toEqual(["first", "second"]);
  });

  it("createClient refreshes the token once, retries once, and the write is stored once", async () => {
    const api = fakeApi(refusal);
    const client = createClient({ baseUrl: API, fetch: api.fetch });
    expect((await client.fetch("/api/notes/", { method: "POST", body: "first" })).status).toBe(201);
    api.state.token = "token-3";

    const response = await client.fetch("/api/notes/", { method: "POST", body: "second" });

    expect(response.status).toBe(201);
    expect(api.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET ${API}/api/auth/csrf/`,
      `POST ${API}/api/notes/`,
      `POST ${API}/api/notes/`,
      `GET ${API}/api/auth/csrf/`,
      `POST ${API}/api/notes/`,
    ]);
    expect(api.writes).toEqual(["first", "second"]);
  });

  it("returns a second refusal to the caller, body readable, instead of looping", async () => {
    const { fetch, seen } = fakeFetch((s) =>
      s.url.endsWith("/csrf/") ? json(200, { csrfToken: `t${seen.length}` }) : json(403, refusal),
    );
    const client = createClient({ baseUrl: API, fetch });

    const response = await client.fetch("/api/notes/", { method: "POST", body: "x" });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(refusal);
    expect(seen.map((s) => s.method)).toEqual(["GET", "POST", "GET", "POST"]);
  });
});

describe("what is not a CSRF refusal", () => {
  const notRefusals: [string, Response][] = [
    ["DRF's permission denied", json(403, { detail: "You do not have permission to perform this action." })],
    [
      "DRF's not authenticated (a 403 when no class sends WWW-Authenticate)",
      json(403, { detail: "Authentication credentials were not provided." }),
    ],
    ["ninja's forbidden", json(403, { detail: "Forbidden" })],
    ["a DRF-like text in another status", json(400, DRF_MISSING)],
    ["a DRF-like text that is not JSON", new Response(JSON.stringify(DRF_MISSING), { status: 403 })],
    ["a detail that only mentions CSRF", json(403, { detail: "Not a CSRF Failed: case" })],
    ["a detail that is not a string", json(403, { detail: ["CSRF Failed: CSRF token missing."] })],
  ];

  it.each(notRefusals)("%s is returned as it is, not retried", async (_what, answer) => {
    const { fetch, seen } = fakeFetch(() => answer.clone());
    const csrfFetch = createCsrfFetch({ fetch, document: fakeDocument("csrftoken=t") });

    const response = await csrfFetch("/api/notes/", { method: "POST", body: "x" });

    expect(response.status).toBe(answer.status);
    expect(await response.text()).toBe(await answer.clone().text());
    expect(seen).toHaveLength(1);
  });

  it("isCsrfRefusal accepts exactly the three shapes", () => {
    expect(isCsrfRefusal({ error: { code: "csrf_failed", message: "CSRF verification failed." } })).toBe(true);
    expect(isCsrfRefusal(DRF_REFUSAL)).toBe(true);
    expect(isCsrfRefusal(DRF_MISSING)).toBe(true);
    const origin = "CSRF Failed: Origin checking failed - null does not match any trusted origins.";
    expect(isCsrfRefusal({ detail: origin })).toBe(true);
    expect(isCsrfRefusal(NINJA_REFUSAL)).toBe(true);
    expect(isCsrfRefusal({ detail: "csrf check failed" })).toBe(false);
    expect(isCsrfRefusal({ error: { code: "permission_denied" } })).toBe(false);
    expect(isCsrfRefusal(undefined)).toBe(false);
    expect(isCsrfRefusal("CSRF Failed: CSRF token missing.")).toBe(false);
  });
});

it("a same-origin refusal is retried with a cookie that changed meanwhile (DRF)", async () => {
  const doc = fakeDocument("csrftoken=token-1");
  const writes: string[] = [];
  const fetch: FetchLike = fakeFetch((s) => {
    if (s.headers.get("X-CSRFToken") === "token-2") {
      writes.push(s.body);
      return json(201, {});
    }
    doc.cookie = "csrftoken=token-2"; // another tab logged in while this request was on its way
    return json(403, DRF_REFUSAL);
  }).fetch;

  const response = await createCsrfFetch({ fetch, document: doc })(`${PAGE}/drf/notes/`, { method: "POST", body: "w" });

  expect(response.status).toBe(201);
  expect(writes).toEqual(["w"]);
});
