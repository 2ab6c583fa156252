/**
 * registerIslands() on a real DOM (happy-dom): which islands mount, with which props, hydrated
 * or rendered, when (load/idle/visible), and what a mistake prints. React is a recording fake
 * adapter: what is under test is which of its functions run, for which element.
 */
import { Window } from "happy-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lazyIsland, nameFromPath, registerIslands, type IslandsAdapter } from "../../src/islands/index.js";

type Call = [kind: "render" | "hydrate", elementId: string, component: unknown, props: unknown];

let window: Window;
let calls: Call[];
let errors: string[];

function adapter(extra: Partial<IslandsAdapter> = {}): IslandsAdapter {
  const id = (el: unknown) => (el as { id: string }).id;
  return {
    createElement: ((component: unknown, props: unknown) => ({ component, props })) as IslandsAdapter["createElement"],
    createRoot: ((el: unknown) => ({
      render: (tree: { component: unknown; props: unknown }) => void calls.push(["render", id(el), tree.component, tree.props]),
    })) as unknown as IslandsAdapter["createRoot"],
    hydrateRoot: ((el: unknown, tree: { component: unknown; props: unknown }) =>
      void calls.push(["hydrate", id(el), tree.component, tree.props])) as IslandsAdapter["hydrateRoot"],
    ...extra,
  };
}

function page(html: string): void {
  window.document.body.innerHTML = html;
}

/** Lets loaders' promises and the renders after them settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => {
  window = new Window({ url: "http://127.0.0.1/" });
  vi.stubGlobal("document", window.document);
  calls = [];
  errors = [];
  vi.spyOn(console, "error").mockImplementation((message: unknown) => void errors.push(String(message)));
});

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  await window.happyDOM.close();
});

describe("registerIslands()", () => {
  it("mounts every island with the props of its JSON script", async () => {
    page(`
      <div id="a" data-duet-island="Greeting" data-props="greeting-props"></div>
      <script type="application/json" id="greeting-props">{"name": "Django", "items": ["x"]}</script>
      <div id="b" data-duet-island="Greeting"></div>
      <div id="c" data-duet-island="Counter" data-props="c-props"></div>
      <script type="application/json" id="c-props">{"start": 3}</script>`);
    const islands = registerIslands({ Greeting: "GreetingC", Counter: "CounterC" }, adapter());
    await settle();
    expect(islands.names).toEqual(["Counter", "Greeting"]);
    expect(calls).toEqual([
      ["render", "a", "GreetingC", { name: "Django", items: ["x"] }],
      ["render", "b", "GreetingC", {}],
      ["render", "c", "CounterC", { start: 3 }],
    ]);
    expect(errors).toEqual([]);
  });

  it("hydrates an island with server HTML, renders an empty one or one the server gave up on", async () => {
    page(`
      <div id="ssr" data-duet-island="Card"><section>Server HTML</section></div>
      <div id="text" data-duet-island="Card">plain text from the server</div>
      <div id="blank" data-duet-island="Card">
      </div>
      <div id="fallback" data-duet-island="Card" data-duet-mode="client"><!-- --></div>`);
    registerIslands({ Card: "CardC" }, adapter());
    await settle();
    expect(calls.map(([kind, id]) => `${kind} ${id}`)).toEqual([
      "hydrate ssr",
      "hydrate text",
      "render blank",
      "render fallback",
    ]);
  });

  it("names glob modules after their files and imports a module only when its island mounts", async () => {
    page(`<div id="g" data-duet-island="Greeting"></div><div id="n" data-duet-island="Named"></div>`);
    const loaded: string[] = [];
    const loader = (path: string, module: Record<string, unknown>) => () => {
      loaded.push(path);
      return Promise.resolve(module);
    };
    const islands = registerIslands(
      {
        "./islands/Greeting.tsx": loader("Greeting", { default: "GreetingDefault" }),
        "./islands/Named/index.tsx": loader("Named", { Named: "NamedExport", helper: 1 }),
        "./islands/Unused.tsx": loader("Unused", { default: "UnusedC" }),
      },
      adapter(),
    );
    expect(islands.names).toEqual(["Greeting", "Named", "Unused"]);
    await settle();
    expect(loaded.sort()).toEqual(["Greeting", "Named"]);
    expect(calls).toEqual([
      ["render", "g", "GreetingDefault", {}],
      ["render", "n", "NamedExport", {}],
    ]);
  });

  it("takes an eager glob's modules and lazyIsland() loaders by name", async () => {
    page(`<div id="e" data-duet-island="Eager"></div><div id="l" data-duet-island="Chart"></div>`);
    let chartLoads = 0;
    registerIslands(
      {
        "/src/islands/Eager.tsx": { default: "EagerC" },
        Chart: lazyIsland(() => {
          chartLoads++;
          return Promise.resolve({ Chart: "ChartC" });
        }),
      },
      adapter(),
    );
    await settle();
    expect(chartLoads).toBe(1);
    expect(calls).toEqual([
      ["render", "e", "EagerC", {}],
      ["render", "l", "ChartC", {}],
    ]);
  });

  it("a missing component is a console error naming it and the registered ones; the rest mount", async () => {
    page(`<div id="x" data-duet-island="Nope"></div><div id="ok" data-duet-island="Greeting"></div>`);
    registerIslands({ Greeting: "G", Account: "A" }, adapter());
    await settle();
    expect(errors).toEqual([
      'django-duet islands: no component is registered as "Nope" (registered: Account, Greeting). ' +
        "Pass it to registerIslands({ Nope }), or name its module Nope.tsx where import.meta.glob looks.",
    ]);
    expect(calls).toEqual([["render", "ok", "G", {}]]);
  });

  it("says which props element is missing, which is not JSON, and which module lacks its export", async () => {
    page(`
      <div id="a" data-duet-island="A" data-props="nowhere"></div>
      <div id="b" data-duet-island="A" data-props="bad"></div><script type="application/json" id="bad">{oops</script>
      <div id="c" data-duet-island="A" data-props="list"></div><script type="application/json" id="list">[1]</script>
      <div id="d" data-duet-island="Lost"></div>`);
    registerIslands({ A: "AC", "./islands/Lost.tsx": () => Promise.resolve({ Other: 1 }) }, adapter());
    await settle();
    expect(calls).toEqual([]);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toContain(`names the props element "nowhere" (data-props), which is not on the page`);
    expect(errors[1]).toContain(`the props element "bad" of the island "A" is not JSON`);
    expect(errors[2]).toContain(`holds [1]: props are a JSON object`);
    expect(errors[3]).toContain(
      'could not load the island "Lost" (the module ./islands/Lost.tsx): IslandRegistryError: the module ./islands/Lost.tsx has no default export and no export named "Lost" (its exports: Other)',
    );
  });

  it("two islands of one name are refused at registration", () => {
    expect(() => registerIslands({ Greeting: "G", "./islands/Greeting.tsx": () => Promise.resolve({}) }, adapter())).toThrow(
      'two islands are named "Greeting": the component "Greeting" and the module ./islands/Greeting.tsx. Rename one of them.',
    );
  });

  it("mount() takes islands added later, never one twice", async () => {
    page(`<div id="first" data-duet-island="A"></div><div id="more"></div>`);
    const islands = registerIslands({ A: "AC" }, adapter());
    window.document.getElementById("more")!.innerHTML = `<div id="second" data-duet-island="A"></div>`;
    expect(islands.mount()).toBe(1);
    expect(islands.mount()).toBe(0);
    await settle();
    expect(calls.map(([, id]) => id)).toEqual(["first", "second"]);
  });
});

describe("strategies (data-duet-load)", () => {
  it("idle waits for requestIdleCallback, and calls the loader only then", async () => {
    page(`<div id="i" data-duet-island="Idle" data-duet-load="idle"></div>`);
    const idle: (() => void)[] = [];
    vi.stubGlobal("requestIdleCallback", (callback: () => void) => void idle.push(callback));
    let loads = 0;
    registerIslands({ Idle: lazyIsland(() => Promise.resolve({ default: ++loads && "IdleC" })) }, adapter());
    await settle();
    expect([loads, calls.length, idle.length]).toEqual([0, 0, 1]);
    idle[0]!();
    await settle();
    expect(loads).toBe(1);
    expect(calls).toEqual([["render", "i", "IdleC", {}]]);
  });

  it("idle falls back to a timeout without requestIdleCallback", async () => {
    page(`<div id="i" data-duet-island="Idle" data-duet-load="idle"></div>`);
    vi.stubGlobal("requestIdleCallback", undefined);
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    registerIslands({ Idle: "IdleC" }, adapter());
    await settle();
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(200);
    await settle();
    expect(calls).toEqual([["render", "i", "IdleC", {}]]);
  });

  it("visible waits until the element intersects the viewport", async () => {
    page(`<div id="v" data-duet-island="Late" data-duet-load="visible"></div>`);
    const observers: { callback: (entries: { isIntersecting: boolean }[]) => void; targets: unknown[]; disconnected: boolean }[] = [];
    class FakeObserver {
      state: (typeof observers)[number];
      constructor(callback: (entries: { isIntersecting: boolean }[]) => void) {
        this.state = { callback, targets: [], disconnected: false };
        observers.push(this.state);
      }
      observe(target: unknown) {
        this.state.targets.push(target);
      }
      disconnect() {
        this.state.disconnected = true;
      }
    }
    vi.stubGlobal("IntersectionObserver", FakeObserver);
    let loads = 0;
    registerIslands({ Late: lazyIsland(() => Promise.resolve({ default: ++loads && "LateC" })) }, adapter());
    await settle();
    const [observer] = observers;
    expect(observer?.targets).toEqual([window.document.getElementById("v")]);
    observer!.callback([{ isIntersecting: false }]);
    await settle();
    expect([loads, calls.length]).toEqual([0, 0]);
    observer!.callback([{ isIntersecting: true }]);
    await settle();
    expect([loads, observer!.disconnected]).toEqual([1, true]);
    expect(calls).toEqual([["render", "v", "LateC", {}]]);
  });

  it("an unknown strategy is a console error, and the island mounts at once", async () => {
    page(`<div id="s" data-duet-island="A" data-duet-load="soon"></div>`);
    registerIslands({ A: "AC" }, adapter());
    await settle();
    expect(errors).toEqual([
      'django-duet islands: the island "A" has data-duet-load="soon"; use one of load, idle, visible. Mounting it now.',
    ]);
    expect(calls).toEqual([["render", "s", "AC", {}]]);
  });
});

it("nameFromPath", () => {
  expect(nameFromPath("./islands/Greeting.tsx")).toBe("Greeting");
  expect(nameFromPath("/src/islands/Card/index.jsx")).toBe("Card");
  expect(nameFromPath("../x/price-tag.ts")).toBe("price-tag");
});

it("says where to call it when there is no document", () => {
  vi.stubGlobal("document", undefined);
  expect(() => registerIslands({}, adapter())).toThrow(/there is no document: call registerIslands\(\) from a browser entry/);
});
