import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { installPolyfills, polyfillBanner } from "../../src/ssr/polyfills.js";

/** A context with nothing but ECMAScript, as in mini-racer. */
function bareV8(): vm.Context {
  return vm.createContext({});
}

describe("polyfills", () => {
  it("gives a bare V8 what React's server renderer touches", async () => {
    const context = bareV8();
    vm.runInContext(polyfillBanner(), context);
    const types = vm.runInContext(
      "[typeof MessageChannel, typeof TextEncoder, typeof queueMicrotask, typeof performance.now]",
      context,
    ) as string[];
    expect([...types]).toEqual(["function", "function", "function", "function"]);
    const bytes = vm.runInContext('Array.from(new TextEncoder().encode("aé€😀\\ud800"))', context) as number[];
    expect([...bytes]).toEqual([...new TextEncoder().encode("aé€😀\ud800")]);
  });

  it("gives a bare V8 the ReadableStream and AbortController of streaming renders", async () => {
    const context = bareV8();
    vm.runInContext(polyfillBanner(), context);
    // A pull source as React's: enqueues when pulled, then later, then closes.
    const result = (await vm.runInContext(
      `(async () => {
        let controller;
        const stream = new ReadableStream({ pull(c) { if (!controller) c.enqueue("shell"); controller = c; } });
        const reader = stream.getReader();
        const seen = [(await reader.read()).value];
        const pending = reader.read();
        controller.enqueue("boundary");
        controller.close();
        seen.push((await pending).value, (await reader.read()).done);
        const abort = new AbortController();
        const lifetime = new AbortController();
        let calls = 0;
        abort.signal.addEventListener("abort", () => calls++, { signal: lifetime.signal });
        abort.abort("late");
        abort.abort("twice");
        const removed = new AbortController();
        removed.signal.addEventListener("abort", () => calls++, { signal: lifetime.signal });
        lifetime.abort();
        removed.abort();
        return [...seen, abort.signal.aborted, abort.signal.reason, calls];
      })()`,
      context,
    )) as unknown[];
    expect([...result]).toEqual(["shell", "boundary", true, true, "late", 1]);
  });

  it("delivers MessageChannel messages and leaves existing globals alone", async () => {
    class Mine {}
    const target: Record<string, unknown> = { setTimeout, TextEncoder: Mine };
    installPolyfills(target);
    expect(target.TextEncoder).toBe(Mine);
    const Channel = target.MessageChannel as new () => {
      port1: { onmessage: ((e: { data: unknown }) => void) | null };
      port2: { postMessage(data: unknown): void };
    };
    const channel = new Channel();
    const received = new Promise((resolve) => {
      channel.port1.onmessage = (event) => resolve(event.data);
    });
    channel.port2.postMessage("ping");
    await expect(received).resolves.toBe("ping");
  });
});

/** The timers mini-racer 0.14 installs in every context (py_mini_racer/_set_timeout.py), as they are. */
const MINI_RACER_TIMERS = `
class __TimerManager {
  constructor() { this.next_idx = 0; this.pending = new Set(); }
  setTimeout(func, delay) {
    const id = this.next_idx++;
    const shared = new SharedArrayBuffer(8);
    const view = new Int32Array(shared);
    const args = Array.prototype.slice.call(arguments, 2);
    let callback = () => {
      if (this.pending.has(id)) { this.pending.delete(id); func(...args); }
    };
    this.pending.add(id);
    Atomics.waitAsync(view, 0, 0, delay).value.then(() => callback());
    return id;
  }
  clearTimeout(timeout_id) { this.pending.delete(timeout_id); }
}
var __timer_manager = new __TimerManager();
var setTimeout = (...arguments) => __timer_manager.setTimeout(...arguments);
var clearTimeout = (...arguments) => __timer_manager.clearTimeout(...arguments);
`;

describe("polyfills over mini-racer's timers", () => {
  function miniRacer(): vm.Context {
    const context = bareV8();
    vm.runInContext(MINI_RACER_TIMERS, context);
    return context;
  }

  it("are needed: mini-racer's setTimeout throws for a delay of 0", () => {
    expect(() => vm.runInContext("setTimeout(() => {}, 0)", miniRacer())).toThrow(/then is not a function/);
  });

  it("deliver MessageChannel messages", async () => {
    const context = miniRacer();
    vm.runInContext(polyfillBanner(), context);
    const received = vm.runInContext(
      `new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        channel.port2.postMessage("ping");
      })`,
      context,
    ) as Promise<unknown>;
    await expect(received).resolves.toBe("ping");
  });

  it("make setTimeout take a delay of 0, none, or a negative one", async () => {
    const context = miniRacer();
    vm.runInContext(polyfillBanner(), context);
    const fired = vm.runInContext(
      `Promise.all([0, undefined, -5, 2].map((ms) => new Promise((resolve) => setTimeout(resolve, ms, ms))))`,
      context,
    ) as Promise<unknown[]>;
    await expect(fired).resolves.toEqual([0, undefined, -5, 2]);
    const cleared = vm.runInContext(
      `new Promise((resolve) => {
        let ran = false;
        clearTimeout(setTimeout(() => { ran = true; }, 0));
        setTimeout(() => resolve(ran), 5);
      })`,
      context,
    ) as Promise<boolean>;
    await expect(cleared).resolves.toBe(false);
  });

  it("leave a setTimeout that takes 0 as it is", () => {
    const target: Record<string, unknown> = { setTimeout, clearTimeout };
    installPolyfills(target);
    expect(target.setTimeout).toBe(setTimeout);
  });
});
