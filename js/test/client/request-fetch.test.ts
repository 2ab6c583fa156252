import { describe, expect, it, vi } from "vitest";
import { createTokenClient, requestFetch } from "../../src/client.js";

const API = "https://api.example.test";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** The token client over a fake server; each access token it issues is numbered. */
function tokenClient(expireFirst = false) {
  const seen: { url: string; method: string; auth: string | null; type: string | null; body: unknown }[] = [];
  let issued = 0;
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (url.endsWith("/token/") || url.endsWith("/token/refresh/")) {
      issued += 1;
      return json(200, { access_token: `access-${issued}`, expires_in: 300, refresh_token: `r-${issued}`, refresh_expires_in: 900 });
    }
    seen.push({ url, method: init?.method ?? "GET", auth: headers.get("Authorization"), type: headers.get("Content-Type"), body: init?.body });
    if (expireFirst && seen.length === 1) return json(401, { error: { code: "token_expired", message: "expired" } });
    return json(201, { ok: true });
  });
  let tokens: unknown = null;
  const client = createTokenClient({
    baseUrl: `${API}/api/auth/`,
    fetch,
    store: { get: () => tokens as never, set: (t) => void (tokens = t), clear: () => void (tokens = null) },
  });
  return { client, seen };
}

describe("requestFetch", () => {
  it("gives the token client a Request as openapi-fetch builds it: URL, method, headers and body", async () => {
    const { client, seen } = tokenClient();
    await client.login("ada", "pw");
    const send = requestFetch(client.fetch);
    const request = new Request(`${API}/api/notes/`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Trace": "1" },
      body: JSON.stringify({ text: "milk" }),
    });
    const response = await send(request);
    expect(response.status).toBe(201);
    expect(seen).toEqual([
      { url: `${API}/api/notes/`, method: "POST", auth: "Bearer access-1", type: "application/json", body: '{"text":"milk"}' },
    ]);
  });

  it("keeps a JSON body replayable: an access token that expired early is refreshed and the call sent again", async () => {
    const { client, seen } = tokenClient(true);
    await client.login("ada", "pw");
    const request = new Request(`${API}/api/notes/`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect((await requestFetch(client.fetch)(request)).status).toBe(201);
    expect(seen.map((s) => [s.auth, s.body])).toEqual([
      ["Bearer access-1", "{}"],
      ["Bearer access-2", "{}"],
    ]);
  });

  it("passes bytes as bytes, and a URL as it is", async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const send = requestFetch(async (url, init) => {
      calls.push([url, init]);
      return new Response(null, { status: 204 });
    });
    await send(new Request(`${API}/upload/`, { method: "POST", headers: { "Content-Type": "image/png" }, body: new Uint8Array([137, 80]) }));
    await send(`${API}/plain/`, { method: "DELETE" });
    expect(new Uint8Array(calls[0]?.[1]?.body as ArrayBuffer)).toEqual(new Uint8Array([137, 80]));
    expect(calls[1]).toEqual([`${API}/plain/`, { method: "DELETE" }]);
  });

  it("refuses another origin before anything is sent, as the token client does", async () => {
    const { client, seen } = tokenClient();
    await client.login("ada", "pw");
    await expect(requestFetch(client.fetch)(new Request("https://elsewhere.test/x"))).rejects.toThrow(/refusing to send the access token/);
    expect(seen).toEqual([]);
  });
});
