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
