/**
 * The web APIs that React's server renderer touches when its module loads, for a bare V8
 * (mini-racer) that has only ECMAScript: `MessageChannel`, `TextEncoder`, `queueMicrotask`,
 * `performance.now` and (for streaming renders) a one-reader `ReadableStream` and `AbortController`; and a `setTimeout` that takes any delay.
 *
 * {@link installPolyfills} is self-contained (it references nothing outside its body): the
 * `duetSsr()` plugin puts its source at the top of the server bundle, so the globals exist
 * before any module of the bundle runs, whatever the import order of the server entry.
 * Each polyfill is installed only where the global is missing (Node, Deno or a worker keep theirs).
 */

/** Installs the missing globals on `target` (normally `globalThis`). */
export function installPolyfills(target: Record<string, unknown>): void {
  const g = target;
  if (typeof g.queueMicrotask !== "function") {
    g.queueMicrotask = (callback: () => void): void => {
      Promise.resolve()
        .then(callback)
        .catch((error: unknown) => {
          // As in a browser: an error in a microtask is reported, not swallowed.
          const log = g.console as { error?: (...args: unknown[]) => void } | undefined;
          log?.error?.(error);
        });
    };
  }
  type Timeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => unknown;
  if (typeof g.setTimeout === "function") {
    // mini-racer's setTimeout waits with Atomics.waitAsync, which settles at once, without a
    // promise, for a delay of 0 or less: setTimeout(fn, 0) throws a TypeError there, and with
    // no delay it never fires. Such delays become 1 ms, as Node makes them.
    const original = g.setTimeout as Timeout;
    let takesZero = true;
    try {
      (g.clearTimeout as ((id: unknown) => void) | undefined)?.(original.call(g, () => {}, 0));
    } catch {
      takesZero = false;
    }
    if (!takesZero) {
      g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]): unknown =>
        original.call(g, fn, Math.max(1, Number(ms) || 0), ...args);
    }
  }
  if (typeof g.MessageChannel !== "function") {
    // React schedules work with `port2.postMessage`; a macrotask (setTimeout) is what the real
    // MessageChannel gives. renderToString never waits for it: it renders synchronously.
    type Handler = ((event: { data: unknown }) => void) | null;
    const timeout = g.setTimeout as Timeout | undefined;
    const later =
      typeof timeout === "function"
        ? (fn: () => void): unknown => timeout.call(g, fn, 0)
        : (fn: () => void): unknown => Promise.resolve().then(fn);
    class Port {
      onmessage: Handler = null;
      other: Port | null = null;
      postMessage(data: unknown): void {
        const target = this.other;
        later(() => target?.onmessage?.({ data }));
      }
      close(): void {
        this.onmessage = null;
      }
    }
    g.MessageChannel = class MessageChannel {
      port1 = new Port();
      port2 = new Port();
      constructor() {
        this.port1.other = this.port2;
        this.port2.other = this.port1;
      }
    };
  }
  if (typeof g.TextEncoder !== "function") {
    g.TextEncoder = class TextEncoder {
      readonly encoding = "utf-8";
      encode(input = ""): Uint8Array {
        // encodeURIComponent yields UTF-8 as %XX escapes; lone surrogates become U+FFFD first.
        const text = String(input).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
        const escaped = encodeURIComponent(text);
        const bytes: number[] = [];
        for (let i = 0; i < escaped.length; i++) {
          if (escaped[i] === "%") {
            bytes.push(Number.parseInt(escaped.slice(i + 1, i + 3), 16));
            i += 2;
          } else {
            bytes.push(escaped.charCodeAt(i));
          }
        }
        return new Uint8Array(bytes);
      }
    };
  }
  if (typeof g.ReadableStream !== "function") {
    // The little of ReadableStream that React's renderToReadableStream uses (its stream has one
    // reader; `enqueue`, `close`, `error`; `pull` when the reader waits): for streaming renders.
    type Source = {
      start?: (controller: unknown) => void;
      pull?: (controller: unknown) => void;
      cancel?: (reason: unknown) => void;
    };
    type Waiter = { resolve: (r: { done: boolean; value?: unknown }) => void; reject: (e: unknown) => void };
    g.ReadableStream = class ReadableStream {
      private queue: unknown[] = [];
      private waiters: Waiter[] = [];
      private closed = false;
      private failure: { error: unknown } | null = null;
      private pulling = false;
      private readonly source: Source;
      private readonly controller = {
        desiredSize: 0,
        byobRequest: null,
        enqueue: (chunk: unknown): void => {
          if (this.closed) return;
          const waiter = this.waiters.shift();
          if (waiter) waiter.resolve({ done: false, value: chunk });
          else this.queue.push(chunk);
        },
        close: (): void => {
          this.closed = true;
          for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true });
        },
        error: (error: unknown): void => {
          this.failure = { error };
          this.closed = true;
          for (const waiter of this.waiters.splice(0)) waiter.reject(error);
        },
      };
      constructor(source: Source = {}) {
        this.source = source;
        source.start?.(this.controller);
      }
      getReader(): { read(): Promise<{ done: boolean; value?: unknown }>; cancel(reason?: unknown): Promise<void>; releaseLock(): void } {
        return {
          read: () => {
            if (this.queue.length > 0) return Promise.resolve({ done: false, value: this.queue.shift() });
            if (this.failure !== null) return Promise.reject(this.failure.error);
            if (this.closed) return Promise.resolve({ done: true });
            return new Promise((resolve, reject) => {
              this.waiters.push({ resolve, reject });
              if (!this.pulling) {
                this.pulling = true;
                try {
                  this.source.pull?.(this.controller);
                } finally {
                  this.pulling = false;
                }
              }
            });
          },
          cancel: (reason?: unknown): Promise<void> => {
            this.closed = true;
            this.source.cancel?.(reason);
            return Promise.resolve();
          },
          releaseLock: (): void => {},
        };
      }
    };
  }
  if (typeof g.AbortController !== "function") {
    // What React's streaming renderer uses: a signal with abort listeners (a listener removed
    // when the `signal` option's own signal aborts), and `abort(reason)`.
    type Listener = () => void;
    class AbortSignal {
      aborted = false;
      reason: unknown = undefined;
      private listeners: Listener[] = [];
      addEventListener(_type: string, listener: Listener, options?: { signal?: AbortSignal }): void {
        this.listeners.push(listener);
        options?.signal?.addEventListener("abort", () => this.removeEventListener("abort", listener));
      }
      removeEventListener(_type: string, listener: Listener): void {
        this.listeners = this.listeners.filter((l) => l !== listener);
      }
      fire(reason: unknown): void {
        if (this.aborted) return;
        this.aborted = true;
        this.reason = reason;
        for (const listener of this.listeners.splice(0)) listener();
      }
    }
    g.AbortController = class AbortController {
      readonly signal = new AbortSignal();
      abort(reason?: unknown): void {
        this.signal.fire(reason === undefined ? new Error("This operation was aborted") : reason);
      }
    };
  }
  if (typeof g.performance !== "object" || g.performance === null) {
    const start = Date.now();
    g.performance = { now: (): number => Date.now() - start, timeOrigin: start };
  }
}

/** The source that the plugin writes at the top of the server bundle. */
export function polyfillBanner(): string {
  return `(${installPolyfills.toString()})(globalThis);`;
}
