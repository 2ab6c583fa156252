import { describe, expect, it } from "vitest";
import { DuetApiError } from "../../src/client/errors.js";
import { errorCode, requestJson, singleFlight } from "../../src/client/request.js";
import { deferred, error, fakeFetch, json } from "./fakes.js";

describe("requestJson", () => {
  it("sends the body as JSON with the credentials asked for, and returns the answer's object", async () => {
    const server = fakeFetch(() => json(200, { ok: 1 }));
    const body = await requestJson(server.fetch, "https://api.example.test/x/", {
      method: "POST",
      body: { a: 1 },
      credentials: "omit",
      what: "x",
    });
    expect(body).toEqual({ ok: 1 });
    const [seen] = server.seen;
    expect(seen?.method).toBe("POST");
    expect(seen?.credentials).toBe("omit");
    expect(seen?.headers.get("Accept")).toBe("application/json");
    expect(seen?.headers.get("Content-Type")).toBe("application/json");
    expect(seen?.body).toBe('{"a":1}');
  });

  it("sends no body, no Content-Type and no credentials unless asked", async () => {
    const server = fakeFetch(() => json(200, {}));
    await requestJson(server.fetch, "https://api.example.test/x/", { method: "GET", what: "x" });
    expect(server.seen[0]?.headers.has("Content-Type")).toBe(false);
    expect(server.seen[0]?.credentials).toBe("(unset)");
    expect(server.seen[0]?.body).toBe("");
  });

  it("throws the server's error code, or says what was called and what to check", async () => {
    const refused = fakeFetch(() => error(400, "invalid_credentials", "Wrong."));
    await expect(requestJson(refused.fetch, "https://a.test/", { method: "GET", what: "x" })).rejects.toMatchObject({
      status: 400,
      code: "invalid_credentials",
      message: "Wrong.",
    });
    const html = fakeFetch(() => new Response("<!doctype html>", { status: 200, headers: { "Content-Type": "text/html" } }));
    const failure = requestJson(html.fetch, "https://a.test/", { method: "GET", what: "the thing (GET /)", hint: "is it there?" });
    await expect(failure).rejects.toBeInstanceOf(DuetApiError);
    await expect(failure).rejects.toThrow("django-duet: the thing (GET /) answered HTTP 200 without a JSON object: is it there?");
  });
});

it("errorCode reads the code and leaves the body to the caller", async () => {
  const response = error(403, "csrf_failed", "Nope.");
  expect(await errorCode(response)).toBe("csrf_failed");
  expect(await response.json()).toEqual({ error: { code: "csrf_failed", message: "Nope." } });
  expect(await errorCode(json(200, { ok: true }))).toBeUndefined();
});

describe("singleFlight", () => {
  it("shares one run between concurrent callers, and starts a new one once it settled", async () => {
    let runs = 0;
    const gate = deferred();
    const flight = singleFlight(async () => {
      runs += 1;
      await gate.promise;
      return runs;
    });
    expect(flight.pending).toBeUndefined();
    const first = flight.run();
    const second = flight.run();
    expect(flight.pending).toBe(first);
    expect(second).toBe(first);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(flight.pending).toBeUndefined();
    expect(await flight.run()).toBe(2);
  });

  it("lets every waiter see a failure, and tries again on the next call", async () => {
    let fail = true;
    const flight = singleFlight(async () => {
      if (fail) throw new Error("down");
      return "up";
    });
    await expect(Promise.all([flight.run(), flight.run()])).rejects.toThrow("down");
    expect(flight.pending).toBeUndefined();
    fail = false;
    expect(await flight.run()).toBe("up");
  });
});
