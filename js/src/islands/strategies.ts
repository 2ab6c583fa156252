/**
 * When an island mounts, from `data-duet-load` on its element:
 * - `load` (the default): at once;
 * - `idle`: when the browser is idle (`requestIdleCallback`, else a short `setTimeout`);
 * - `visible`: when the element enters the viewport (`IntersectionObserver`, else at once).
 * Its component's module is imported only then.
 */

export const STRATEGIES = ["load", "idle", "visible"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** What the strategies need from the browser; `globalThis` by default, a fake in tests. */
export interface SchedulerGlobals {
  requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => unknown;
  setTimeout: (callback: () => void, ms: number) => unknown;
  IntersectionObserver?: new (
    callback: (entries: readonly { isIntersecting: boolean }[]) => void,
  ) => { observe(target: never): void; disconnect(): void };
}

// An idle callback may wait for long on a busy page: this bounds the wait.
const IDLE_TIMEOUT_MS = 2000;
// Without requestIdleCallback (Safari), after the page's first tasks.
const IDLE_FALLBACK_MS = 200;

export function isStrategy(value: string): value is Strategy {
  return (STRATEGIES as readonly string[]).includes(value);
}

/** Calls `run` once, when the strategy says the island's time has come. */
export function schedule(strategy: Strategy, element: unknown, run: () => void, g: SchedulerGlobals): void {
  if (strategy === "idle") {
    if (typeof g.requestIdleCallback === "function") {
      g.requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS });
    } else {
      g.setTimeout(run, IDLE_FALLBACK_MS);
    }
  } else if (strategy === "visible" && typeof g.IntersectionObserver === "function") {
    const observer = new g.IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        run();
      }
    });
    observer.observe(element as never);
  } else {
    run();
  }
}
