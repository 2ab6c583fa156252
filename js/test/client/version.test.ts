import { afterEach, describe, expect, it, vi } from "vitest";

import {
  BUILD_HEADER,
  STALE_FRONTEND_EVENT,
  createClient,
  createCsrfFetch,
  onStaleFrontend,
  pageBuildId,
  reloadOnChunkError,
  resetStaleFrontend,
  serverBuildIds,
} from "../../src/client.js";

const LOADED = "aaaaaaaaaaaaaaaa";
const CURRENT = "bbbbbbbbbbbbbbbb";

function page(buildId: string | null) {
  return {
    cookie: "csrftoken=tok",
    baseURI: "http://app.test/page",
    location: { origin: "http://app.test" },
    querySelector: (selector: string) =>
      selector === 'meta[name="duet-build"]' && buildId !== null
        ? { getAttribute: (name: string) => (name === "content" ? buildId : null) }
        : null,
  };
}

function answering(build: string | null) {
  return vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => {
    const headers = new Headers(build ? { [BUILD_HEADER]: build } : {});
    return new Response("{}", { status: 200, headers });
  });
}

afterEach(() => {
  resetStaleFrontend();
  vi.unstubAllGlobals();
});

/** Node has no window: give globalThis an event target, as a browser's window is one. */
function windowTarget(): EventTarget {
  const target = new EventTarget();
  vi.stubGlobal("addEventListener", target.addEventListener.bind(target));
  vi.stubGlobal("removeEventListener", target.removeEventListener.bind(target));
  vi.stubGlobal("dispatchEvent", target.dispatchEvent.bind(target));
  return target;
}

describe("version skew", () => {
  it("reads the page's build id and ignores junk", () => {
    expect(pageBuildId(page(LOADED))).toBe(LOADED);
    expect(pageBuildId(page("{{ duet_build_id }}"))).toBeNull();
    expect(pageBuildId(page(null))).toBeNull();
  });

  it("sends the page's id to its own origin and fires the event once when the server differs", async () => {
    const fetch = answering(CURRENT);
    const target = windowTarget();
    const seen: unknown[] = [];
    target.addEventListener(STALE_FRONTEND_EVENT, (e) => seen.push((e as CustomEvent).detail));
    const info: unknown[] = [];
    onStaleFrontend((detail) => info.push(detail));
    const csrfFetch = createCsrfFetch({ fetch, document: page(LOADED) });
    await csrfFetch("/api/notes/", { method: "POST" });
    await csrfFetch("/api/notes/");
    const sent = new Headers(fetch.mock.calls[0]![1]!.headers);
    expect(sent.get(BUILD_HEADER)).toBe(LOADED);
    expect(seen).toEqual([{ loaded: LOADED, current: CURRENT }]);
    expect(info).toEqual([{ loaded: LOADED, current: CURRENT }]);
  });

  it("stays quiet while the builds match, or when the page has no id", async () => {
    const listener = vi.fn();
    windowTarget();
    onStaleFrontend(listener);
    await createCsrfFetch({ fetch: answering(LOADED), document: page(LOADED) })("/x");
    await createCsrfFetch({ fetch: answering(CURRENT), document: page(null) })("/x");
    expect(listener).not.toHaveBeenCalled();
  });

  it("with several frontends the server names each build: current while the page's is among them", async () => {
    const OTHER = "cccccccccccccccc";
    const listener = vi.fn();
    windowTarget();
    onStaleFrontend(listener);
    await createCsrfFetch({ fetch: answering(`${CURRENT}, ${LOADED}`), document: page(LOADED) })("/x");
    await createCsrfFetch({ fetch: answering(`${LOADED},junk`), document: page(LOADED) })("/x");
    expect(listener).not.toHaveBeenCalled();
    await createCsrfFetch({ fetch: answering(`${CURRENT}, ${OTHER}`), document: page(LOADED) })("/x");
    expect(listener).toHaveBeenCalledWith({ loaded: LOADED, current: `${CURRENT}, ${OTHER}` });
    expect(serverBuildIds(` ${CURRENT} ,, x,${OTHER}`)).toEqual([CURRENT, OTHER]);
    expect(serverBuildIds(null)).toEqual([]);
  });

  it("never sends the id to another origin", async () => {
    const fetch = answering(CURRENT);
    await createCsrfFetch({ fetch, document: page(LOADED) })("http://elsewhere.test/x");
    const init = fetch.mock.calls[0]![1];
    expect(new Headers(init?.headers).has(BUILD_HEADER)).toBe(false);
  });

  it("the cross-origin client reads the API's id without sending a header (no preflight)", async () => {
    const fetch = answering(CURRENT);
    vi.stubGlobal("document", page(LOADED));
    windowTarget();
    const listener = vi.fn();
    onStaleFrontend(listener);
    await createClient({ baseUrl: "http://api.test/", fetch }).fetch("/api/notes/");
    expect(new Headers(fetch.mock.calls[0]![1]?.headers).has(BUILD_HEADER)).toBe(false);
    expect(listener).toHaveBeenCalledWith({ loaded: LOADED, current: CURRENT });
  });
});

describe("reloadOnChunkError", () => {
  function fakeWindow() {
    const target = new EventTarget();
    const storage = new Map<string, string>();
    return {
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
      dispatchEvent: target.dispatchEvent.bind(target),
      location: { reload: vi.fn() },
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
    };
  }

  it("reloads once, then lets a second failure through instead of looping", () => {
    const win = fakeWindow();
    let now = 1_000_000;
    reloadOnChunkError({ window: win, now: () => now });
    const first = new Event("vite:preloadError", { cancelable: true });
    win.dispatchEvent(first);
    expect(win.location.reload).toHaveBeenCalledTimes(1);
    expect(first.defaultPrevented).toBe(true);
    now += 2_000; // the reloaded page fails again at once: no second reload
    const second = new Event("vite:preloadError", { cancelable: true });
    win.dispatchEvent(second);
    expect(win.location.reload).toHaveBeenCalledTimes(1);
    expect(second.defaultPrevented).toBe(false);
    now += 60_000; // much later, another deploy: reload again
    win.dispatchEvent(new Event("vite:preloadError", { cancelable: true }));
    expect(win.location.reload).toHaveBeenCalledTimes(2);
  });

  it("can be uninstalled", () => {
    const win = fakeWindow();
    reloadOnChunkError({ window: win })();
    win.dispatchEvent(new Event("vite:preloadError", { cancelable: true }));
    expect(win.location.reload).not.toHaveBeenCalled();
  });
});
