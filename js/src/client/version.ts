/**
 * Version skew: a page keeps running the frontend it loaded while a deploy ships a new one.
 *
 * Django answers every request with `X-Duet-Build: <id>` (with several frontends in one project,
 * each one's id: `<id>, <id>`) and puts the id the page loaded with in `<meta name="duet-build">`. Requests through this client send the page's id and compare it with
 * the server's; when they differ, `duet:stale-frontend` fires once, so the app can offer a reload.
 * {@link reloadOnChunkError} reloads the page once when a lazy chunk is gone after a deploy.
 */
import type { DocumentLike, FetchLike } from "./env.js";

export const BUILD_HEADER = "X-Duet-Build";
export const STALE_FRONTEND_EVENT = "duet:stale-frontend";

/** What the `duet:stale-frontend` event carries (in `event.detail`). */
export interface StaleFrontend {
  /** The build the page loaded with. */
  readonly loaded: string;
  /** The build the server runs now (with several frontends, each one's id, comma-separated). */
  readonly current: string;
}

type Target = Pick<EventTarget, "addEventListener" | "removeEventListener" | "dispatchEvent">;

let stale: StaleFrontend | undefined;

const BUILD_ID = /^[0-9a-f]{8,64}$/;

/** The id of the build this page was loaded with, or null when the page does not say. */
export function pageBuildId(doc?: Pick<DocumentLike, "querySelector">): string | null {
  const page = doc ?? (globalThis as { document?: Pick<DocumentLike, "querySelector"> }).document;
  const value = page?.querySelector('meta[name="duet-build"]')?.getAttribute("content") ?? null;
  return value !== null && BUILD_ID.test(value) ? value : null;
}

/** The build ids in an `X-Duet-Build` value; an id that is not one is ignored. */
export function serverBuildIds(header: string | null): string[] {
  if (header === null) return [];
  return header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => BUILD_ID.test(part));
}

function defaultTarget(): Target | undefined {
  const candidate = globalThis as unknown as Partial<Target>;
  return typeof candidate.dispatchEvent === "function" ? (candidate as Target) : undefined;
}

function announce(detail: StaleFrontend, target: Target | undefined): void {
  if (stale !== undefined) return; // once per page: the app's banner needs no repeats
  stale = detail;
  target?.dispatchEvent(new CustomEvent<StaleFrontend>(STALE_FRONTEND_EVENT, { detail }));
}

export interface WatchOptions {
  /** Send the page's id (same origin only: on another origin it would need a CORS preflight). */
  sendHeader: boolean;
  document?: Pick<DocumentLike, "querySelector"> | undefined;
}

/** Wraps `fetch` so that each answer from the API is checked against the page's build. */
export function watchBuild(fetchFn: FetchLike, options: WatchOptions): FetchLike {
  return async (input, init) => {
    const loaded = pageBuildId(options.document);
    let sent = init;
    if (loaded !== null && options.sendHeader) {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (!headers.has(BUILD_HEADER)) headers.set(BUILD_HEADER, loaded);
      sent = { ...init, headers };
    }
    const response = await fetchFn(input, sent);
    const current = serverBuildIds(response.headers.get(BUILD_HEADER));
    if (loaded !== null && current.length > 0 && !current.includes(loaded)) {
      announce({ loaded, current: current.join(", ") }, defaultTarget());
    }
    return response;
  };
}

/**
 * Calls `listener` when the server runs a newer frontend than this page (at once if that is
 * already known). Returns a function that unsubscribes.
 */
export function onStaleFrontend(listener: (info: StaleFrontend) => void, target?: Target): () => void {
  const on = target ?? defaultTarget();
  const handler = (event: Event): void => listener((event as CustomEvent<StaleFrontend>).detail);
  on?.addEventListener(STALE_FRONTEND_EVENT, handler);
  if (stale !== undefined) listener(stale);
  return () => on?.removeEventListener(STALE_FRONTEND_EVENT, handler);
}

/** Forget a known skew (tests; or after the app updated itself without a reload). */
export function resetStaleFrontend(): void {
  stale = undefined;
}

interface ReloadEnv {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  location: { reload(): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

export interface ChunkReloadOptions {
  /** No second reload within this many milliseconds: a chunk still missing then is an error. */
  withinMs?: number;
  window?: ReloadEnv;
  now?: () => number;
}

const RELOADED_AT = "duet:chunk-reload-at";

/**
 * When a lazy chunk cannot be loaded ("Failed to fetch dynamically imported module", Vite's
 * `vite:preloadError`), reload the page once to get the current build; never in a loop.
 */
export function reloadOnChunkError(options: ChunkReloadOptions = {}): () => void {
  const win = options.window ?? (globalThis as unknown as ReloadEnv);
  const now = options.now ?? Date.now;
  const within = options.withinMs ?? 10_000;
  const handler = (event: Event): void => {
    const last = Number(win.sessionStorage.getItem(RELOADED_AT) ?? "0");
    if (now() - last < within) return; // just reloaded for this: let the error reach the app
    win.sessionStorage.setItem(RELOADED_AT, String(now()));
    event.preventDefault(); // Vite then does not rethrow the import error
    win.location.reload();
  };
  win.addEventListener("vite:preloadError", handler);
  return () => win.removeEventListener("vite:preloadError", handler);
}
