/**
 * registerSvelteIslands() on a real DOM (happy-dom): server-rendered islands go to Svelte's
 * `hydrate`, the others to `mount`, each with `{ target, props }` (and the context given).
 * Svelte is a recording stand-in for `mount`/`hydrate`: what is under test is which one runs,
 * for which element, with which options (the real Svelte runs in tests/e2e/test_frameworks_svelte.py).
 */
import { Window } from "happy-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerSvelteIslands, svelteAdapter } from "../../src/islands/svelte.js";
import { hydrate } from "../../src/ssr/client.js";

type Call = [kind: "mount" | "hydrate", target: string, component: unknown, options: Record<string, unknown>];

let window: Window;
let calls: Call[];

const svelte = {
  mount: (component: unknown, options: { target: { id: string } }) => {
    calls.push(["mount", options.target.id, component, options]);
    return { kind: "mounted" };
  },
  hydrate: (component: unknown, options: { target: { id: string } }) => {
    calls.push(["hydrate", options.target.id, component, options]);
    return { kind: "hydrated" };
  },
};

function Counter(): void {}
function Greeting(): void {}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => {
  window = new Window({ url: "http://127.0.0.1/" });
  vi.stubGlobal("document", window.document);
  calls = [];
});

afterEach(async () => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  await window.happyDOM.close();
});

describe("registerSvelteIslands()", () => {
  it("hydrates server-rendered islands and mounts the others, with Django's props", async () => {
    window.document.body.innerHTML = `
      <div id="a" data-duet-island="Greeting" data-props="a-props"><!--[--><p>Hello, Ada!</p><!--]--></div>
      <script type="application/json" id="a-props">{"name": "Ada"}</script>
      <div id="b" data-duet-island="Counter" data-props="b-props"></div>
      <script type="application/json" id="b-props">{"start": 7}</script>
      <div id="c" data-duet-island="Counter" data-duet-mode="client"></div>`;
    const modules = {
      "./islands/Counter.svelte": () => Promise.resolve({ default: Counter }),
      "./islands/Greeting.svelte": () => Promise.resolve({ default: Greeting }),
    };
    const islands = registerSvelteIslands(modules, svelte);
    await settle();
    expect(islands.names).toEqual(["Counter", "Greeting"]);
    expect(calls.map(([kind, target, component]) => [kind, target, component])).toEqual([
      ["hydrate", "a", Greeting],
      ["mount", "b", Counter],
      ["mount", "c", Counter],
    ]);
    expect(calls[0]?.[3]).toEqual({ target: window.document.getElementById("a"), props: { name: "Ada" } });
    expect(calls[1]?.[3].props).toEqual({ start: 7 });
    expect(calls[2]?.[3].props).toEqual({});
  });

  it("passes the context to every island and hands each instance to mounted()", async () => {
    window.document.body.innerHTML = `<div id="a" data-duet-island="Counter"></div>`;
    const context = new Map([["theme", "dark"]]);
    const seen: [unknown, string][] = [];
    registerSvelteIslands({ Counter }, svelte, { context, mounted: (instance, name) => void seen.push([instance, name]) });
    await settle();
    expect(calls[0]?.[3].context).toBe(context);
    expect(seen).toEqual([[{ kind: "mounted" }, "Counter"]]);
  });

  it("refuses a call without Svelte's functions, saying what to import", () => {
    expect(() => registerSvelteIslands({ Counter }, {} as never)).toThrow(
      'import { hydrate, mount } from "svelte"',
    );
  });
});

describe("svelteAdapter() with hydrate() of django-duet/ssr/client", () => {
  it("hydrates {% duet_render %} containers and mounts the ones the server fell back on", () => {
    window.document.body.innerHTML = `
      <div id="s" data-duet-ssr="Counter" data-duet-props="p1"><!--[--><button>1</button><!--]--></div>
      <script type="application/json" id="p1">{"start": 1}</script>
      <div id="f" data-duet-ssr="Counter" data-duet-props="p2" data-duet-mode="client"></div>
      <script type="application/json" id="p2">{"start": 2}</script>`;
    expect(hydrate({ components: { Counter }, ...svelteAdapter(svelte) })).toBe(2);
    expect(calls.map(([kind, target, , options]) => [kind, target, options.props])).toEqual([
      ["hydrate", "s", { start: 1 }],
      ["mount", "f", { start: 2 }],
    ]);
  });
});

describe("the server's <svelte:head> tags after hydration", () => {
  // What Django wrote: the page's CSS and preload, head()'s tags and <svelte:head>'s, plain.
  const SERVER_HEAD = `
    <link rel="stylesheet" href="/static/assets/main.css">
    <link rel="modulepreload" href="/static/assets/main.js">
    <title>Article | Svelte</title>
    <meta name="description" content="From head()">
    <link rel="canonical" href="https://example.test/article/">
    <link rel="alternate" hreflang="de" href="https://example.test/de/article/">
    <script type="application/ld+json">{"@type":"Article","name":"A"}</script>`;

  /** A hydrate that, like Svelte's, finds no head markers and appends the <svelte:head> elements. */
  const appendingHead = (added: string) => ({
    mount: svelte.mount,
    hydrate: (component: unknown, options: { target: { id: string } }) => {
      window.document.head.insertAdjacentHTML("beforeend", added);
      return svelte.hydrate(component, options);
    },
  });

  const heads = (): string[] =>
    Array.from(window.document.head.children).map((element) => element.outerHTML);

  beforeEach(() => {
    window.document.head.innerHTML = SERVER_HEAD;
    window.document.body.innerHTML = `
      <div id="s" data-duet-ssr="Article" data-duet-props="p"><!--[--><h1>A</h1><!--]--></div>
      <script type="application/json" id="p">{}</script>`;
  });

  it("keeps Svelte's own element and removes the server's copy, nothing else", () => {
    const added =
      '<link rel="canonical" href="https://example.test/article/">' +
      '<script type="application/ld+json">{"@type": "Article", "name": "A"}</script>';
    hydrate({ components: { Article: Greeting }, ...svelteAdapter(appendingHead(added)) });
    expect(heads()).toEqual([
      '<link rel="stylesheet" href="/static/assets/main.css">',
      '<link rel="modulepreload" href="/static/assets/main.js">',
      "<title>Article | Svelte</title>",
      '<meta name="description" content="From head()">',
      '<link rel="alternate" hreflang="de" href="https://example.test/de/article/">',
      '<link rel="canonical" href="https://example.test/article/">',
      '<script type="application/ld+json">{"@type": "Article", "name": "A"}</script>',
    ]);
    expect(window.document.querySelectorAll('link[rel="canonical"]')).toHaveLength(1);
  });

  it("leaves the page's stylesheets and preloads when Svelte adds its own", () => {
    const added = '<link rel="stylesheet" href="/static/assets/other.css"><meta name="description" content="Svelte">';
    hydrate({ components: { Article: Greeting }, ...svelteAdapter(appendingHead(added)) });
    const html = heads().join("\n");
    expect(html).toContain('<link rel="stylesheet" href="/static/assets/main.css">');
    expect(html).toContain('<link rel="stylesheet" href="/static/assets/other.css">');
    expect(html).not.toContain("From head()");
    expect(window.document.querySelectorAll('meta[name="description"]')).toHaveLength(1);
  });

  it("removes nothing when a component mounts (no server render, so no server copy)", () => {
    window.document.body.innerHTML = `
      <div id="f" data-duet-ssr="Article" data-duet-props="p" data-duet-mode="client"></div>
      <script type="application/json" id="p">{}</script>`;
    const before = heads();
    const mounting = {
      hydrate: svelte.hydrate,
      mount: (component: unknown, options: { target: { id: string } }) => {
        window.document.head.insertAdjacentHTML("beforeend", '<link rel="canonical" href="https://example.test/article/">');
        return svelte.mount(component, options);
      },
    };
    hydrate({ components: { Article: Greeting }, ...svelteAdapter(mounting) });
    expect(heads()).toEqual([...before, '<link rel="canonical" href="https://example.test/article/">']);
  });
});
