/**
 * `django-duet/islands`: mounts the React islands of a Django page.
 *
 * ```tsx
 * import { createElement } from "react";
 * import { createRoot, hydrateRoot } from "react-dom/client";
 * import { registerIslands } from "django-duet/islands";
 *
 * // Every module of src/islands/ is an island named after its file, imported when it mounts.
 * registerIslands(import.meta.glob("./islands/*.tsx"), { createElement, createRoot, hydrateRoot });
 * ```
 *
 * Each element `<div data-duet-island="Greeting" data-props="<id>">` (what
 * `{% duet_island "Greeting" props %}` writes) gets the component registered under that name,
 * with the props of the JSON script `<id>`: hydrated (`hydrateRoot`) when the server rendered
 * it, else rendered (`createRoot`). `data-duet-load="idle|visible"` delays it (see
 * strategies.ts). React comes from the caller (the same way as `django-duet/ssr/client`), so
 * this package depends on no React and its other entry points never load one.
 */
import { buildRegistry, type IslandComponents, type IslandEntry } from "./registry.js";
import {
  ISLAND_SELECTOR,
  readProps,
  serverRendered,
  type IslandDocument,
  type IslandElement,
  type IslandRoot,
} from "./element.js";
import { isStrategy, schedule, STRATEGIES, type SchedulerGlobals, type Strategy } from "./strategies.js";

export { lazyIsland, nameFromPath, IslandRegistryError } from "./registry.js";
export type { IslandComponents, IslandLoader, IslandModule, LazyIsland } from "./registry.js";
export { ISLAND_SELECTOR, IslandPropsError } from "./element.js";
export type { IslandDocument, IslandElement, IslandRoot } from "./element.js";
export { STRATEGIES } from "./strategies.js";
export type { Strategy } from "./strategies.js";

// React's functions are typed loosely (`never` parameters accept any function): React's
// overloads defy a precise generic type, and islands only pass values through.
/** How islands are rendered: React's three functions, or any library's equivalents. */
export interface IslandsAdapter {
  /** `createElement` from `react`. */
  createElement: (component: never, props: never) => unknown;
  /** `createRoot` from `react-dom/client`: islands the server did not render. */
  createRoot: (container: never) => { render(element: never): void };
  /** `hydrateRoot` from `react-dom/client`: islands with server HTML. */
  hydrateRoot: (container: never, element: never, options?: never) => unknown;
  /** Passed to `hydrateRoot` (e.g. `onRecoverableError`). */
  hydrateOptions?: Record<string, unknown>;
  /** Where to look for islands first. Default: `document`. */
  root?: IslandRoot;
}

export interface Islands {
  /** The registered names, sorted. */
  readonly names: readonly string[];
  /** Mounts the islands under `root` not mounted yet (content added later); how many it found. */
  mount(root?: IslandRoot): number;
}

const PREFIX = "django-duet islands:";

interface BrowserDocument extends IslandDocument, IslandRoot {
  readyState?: string;
  addEventListener?(type: string, listener: () => void, options?: { once: boolean }): void;
}

/**
 * Registers the page's island components and mounts every `data-duet-island` element of the
 * page (after the document is parsed). Call it once per page, from the entry that
 * `{% duet_entry %}` loads, with every island the page may hold.
 */
export function registerIslands(components: IslandComponents, adapter: IslandsAdapter): Islands {
  const doc = (globalThis as { document?: BrowserDocument }).document;
  if (doc === undefined) {
    throw new Error(`${PREFIX} there is no document: call registerIslands() from a browser entry, not on the server.`);
  }
  const registry = buildRegistry(components);
  const names = [...registry.keys()].sort();
  const claimed = new WeakSet<IslandElement>();

  const mountOne = (element: IslandElement): void => {
    const name = element.dataset.duetIsland ?? "";
    const entry = registry.get(name);
    if (entry === undefined) {
      console.error(
        `${PREFIX} no component is registered as "${name}" (registered: ${names.join(", ") || "none"}). ` +
          `Pass it to registerIslands({ ${name || "Name"} }), or name its module ${name || "Name"}.tsx where import.meta.glob looks.`,
      );
      return;
    }
    let props: Record<string, unknown>;
    try {
      props = readProps(element, doc, name);
    } catch (error) {
      console.error(`${PREFIX} ${(error as Error).message}`);
      return;
    }
    schedule(strategyOf(element, name), element, () => void render(entry, element, name, props, adapter), globalThis as unknown as SchedulerGlobals);
  };

  const mount = (root: IslandRoot = adapter.root ?? doc): number => {
    let found = 0;
    for (const element of Array.from(root.querySelectorAll(ISLAND_SELECTOR))) {
      if (claimed.has(element)) continue;
      claimed.add(element);
      found++;
      mountOne(element);
    }
    return found;
  };

  if (doc.readyState === "loading" && doc.addEventListener !== undefined) {
    doc.addEventListener("DOMContentLoaded", () => void mount(), { once: true });
  } else {
    mount();
  }
  return { names, mount };
}

function strategyOf(element: IslandElement, name: string): Strategy {
  const value = element.dataset.duetLoad ?? "load";
  if (isStrategy(value)) return value;
  console.error(
    `${PREFIX} the island "${name}" has data-duet-load="${value}"; use one of ${STRATEGIES.join(", ")}. Mounting it now.`,
  );
  return "load";
}

async function render(
  entry: IslandEntry,
  element: IslandElement,
  name: string,
  props: Record<string, unknown>,
  adapter: IslandsAdapter,
): Promise<void> {
  let component: unknown;
  try {
    component = await entry.load(); // the island's module is imported only now
  } catch (error) {
    console.error(`${PREFIX} could not load the island "${name}" (${entry.source}): ${String(error)}`);
    return;
  }
  const tree = adapter.createElement(component as never, props as never);
  if (serverRendered(element)) {
    adapter.hydrateRoot(element as never, tree as never, adapter.hydrateOptions as never);
  } else {
    adapter.createRoot(element as never).render(tree as never);
  }
}
