/**
 * What the client needs from its surroundings, as small structural types.
 *
 * The package compiles without the DOM library (it shares a tsconfig with the Vite plugin), and
 * tests pass fakes instead of a DOM: so nothing here names `Document` or `Location`. A real
 * `document` satisfies {@link DocumentLike}; globals are looked up at call time, not at import
 * time, so that importing the module during SSR or in a test never touches them.
 */
import { DuetError } from "./errors.js";

/** `fetch` as the client calls it; the browser's `fetch` (or a test double) fits. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The `credentials` mode of a request. */
export type Credentials = "omit" | "same-origin" | "include";

/** The parts of `document` that {@link createCsrfFetch} reads. */
export interface DocumentLike {
  readonly cookie: string;
  /** The URL that relative request URLs resolve against (what `fetch` uses). */
  readonly baseURI: string;
  /** The page's own origin comes from here: the only origin that receives the token. */
  readonly location: { readonly origin: string } | null;
  querySelector(selectors: string): { getAttribute(name: string): string | null } | null;
}

export function globalFetch(): FetchLike {
  const candidate = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof candidate !== "function") {
    throw new DuetError(
      "django-duet: no fetch function: run in a browser (or Node 18+), " +
        "or pass { fetch } to createCsrfFetch() or createClient().",
    );
  }
  // Called unbound, `window.fetch` throws "Illegal invocation" in some browsers.
  return candidate.bind(globalThis);
}

export function globalDocument(): DocumentLike {
  const candidate = (globalThis as { document?: DocumentLike }).document;
  if (candidate === undefined) {
    throw new DuetError(
      "django-duet: csrfFetch needs a page: there is no document here (server-side rendering or a worker?). " +
        "Call it from browser code, or pass { document } to createCsrfFetch().",
    );
  }
  return candidate;
}

/** The URL of a request as fetch would resolve it. */
export function requestUrl(input: string | URL | Request, base: string): URL {
  if (typeof input === "string") return new URL(input, base);
  if (input instanceof URL) return input;
  return new URL(input.url);
}
