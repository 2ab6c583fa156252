/**
 * `django-duet/islands/svelte`: the islands of a Django page as Svelte 5 components.
 *
 * ```js
 * import { hydrate, mount } from "svelte";
 * import { registerSvelteIslands } from "django-duet/islands/svelte";
 *
 * // Every .svelte file of src/islands/ is an island named after its file, imported when it mounts.
 * registerSvelteIslands(import.meta.glob("./islands/*.svelte"), { mount, hydrate });
 * ```
 *
 * Each island is mounted with the props Django wrote (`{% duet_island %}`): `hydrate()` adopts
 * the server's HTML (`ssr=True`), `mount()` renders the others into the empty element. Svelte
 * comes from the caller, as React does for `django-duet/islands`, so this package depends on no
 * Svelte. `svelteAdapter()` gives the same three functions to `registerIslands()` or to
 * `hydrate()` of `django-duet/ssr/client` (the `{% duet_render %}` containers).
 *
 * Django writes a server-rendered component's `<svelte:head>` as plain tags (`{{ page.head }}`),
 * without the hydration markers Svelte looks for, so a hydrating component adds its head
 * elements again. The adapter then removes the server's copy of each element Svelte added (the
 * same meta name or property, link rel and hreflang, or JSON-LD): one canonical link, owned by Svelte.
 */
import { registerIslands, type IslandComponents, type IslandRoot, type Islands, type IslandsAdapter } from "./index.js";

/** Svelte 5's `mount` and `hydrate` (from `svelte`). */
export interface SvelteFunctions {
  mount: (component: never, options: never) => unknown;
  hydrate: (component: never, options: never) => unknown;
}

export interface SvelteIslandsOptions {
  /** Svelte's `context` for every island (what `getContext()` reads in its components). */
  context?: Map<unknown, unknown>;
  /** Called with each mounted component's exports and the island's name. */
  mounted?: (instance: unknown, name: string) => void;
  /** Where to look for islands first. Default: `document`. */
  root?: IslandRoot;
}

/** The element `createElement` hands on: the component and its props. */
interface SvelteTree {
  readonly component: unknown;
  readonly props: Record<string, unknown>;
}

/** Svelte 5 compiles a component to a function named after its file (`Counter.svelte` -> Counter). */
function nameOf(component: unknown): string {
  const name = (component as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : "";
}

interface HeadElement {
  readonly tagName: string;
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
  remove(): void;
}

const PAGE_LINKS = new Set(["canonical", "alternate", "prev", "next"]);

/** What makes two head elements the same tag for the page: what `head()` and Django merge on. */
function headKey(element: HeadElement): string | null {
  const attr = (name: string): string => (element.getAttribute(name) ?? "").toLowerCase();
  switch (element.tagName.toLowerCase()) {
    case "meta":
      if (attr("name")) return `meta name=${attr("name")}`;
      return attr("property") ? `meta property=${attr("property")}` : null;
    case "link": // not the page's stylesheets and preloads: only the links head() writes
      return PAGE_LINKS.has(attr("rel")) ? `link ${attr("rel")} ${attr("hreflang")}` : null;
    case "script":
      if (attr("type") !== "application/ld+json") return null;
      try {
        return `json-ld ${JSON.stringify(JSON.parse(element.textContent ?? ""))}`;
      } catch {
        return null;
      }
    default:
      return null;
  }
}

function headElements(): HeadElement[] {
  const head = (globalThis as { document?: { head?: { children: ArrayLike<HeadElement> } | null } }).document?.head;
  return head ? Array.from(head.children) : [];
}

/** Removes the server's copy (among `server`) of each element in `<head>` that is not in `before`. */
function dropServerCopies(server: HeadElement[], before: Set<HeadElement>): void {
  const byKey = new Map<string, HeadElement>();
  for (const element of server) {
    const key = headKey(element);
    if (key !== null && !byKey.has(key)) byKey.set(key, element);
  }
  for (const element of headElements()) {
    if (before.has(element)) continue;
    const key = headKey(element);
    const copy = key === null ? undefined : byKey.get(key);
    if (copy === undefined || copy === element) continue;
    copy.remove();
    byKey.delete(key as string);
  }
}

/**
 * React's three island functions done with Svelte: `createElement` pairs the component with its
 * props, `createRoot(el).render(tree)` is `mount(component, { target: el, props })`,
 * `hydrateRoot(el, tree)` is `hydrate(component, { target: el, props })`.
 */
export function svelteAdapter(svelte: SvelteFunctions, options: SvelteIslandsOptions = {}): Omit<IslandsAdapter, "root"> {
  if (typeof svelte?.mount !== "function" || typeof svelte.hydrate !== "function") {
    throw new TypeError(
      'django-duet islands (svelte): pass Svelte 5\'s functions: import { hydrate, mount } from "svelte".',
    );
  }
  // The head as Django wrote it: made before any island of this adapter runs.
  const serverHead = headElements();
  const start = (run: SvelteFunctions["mount"], target: unknown, tree: SvelteTree): void => {
    const settings: Record<string, unknown> = { target, props: tree.props };
    if (options.context !== undefined) settings.context = options.context;
    const before = run === svelte.hydrate ? new Set(headElements()) : null;
    const instance = run(tree.component as never, settings as never);
    if (before !== null) dropServerCopies(serverHead, before);
    options.mounted?.(instance, nameOf(tree.component));
  };
  return {
    createElement: ((component: unknown, props: Record<string, unknown>): SvelteTree => ({ component, props })) as IslandsAdapter["createElement"],
    createRoot: ((container: unknown) => ({
      render: (tree: SvelteTree): void => start(svelte.mount, container, tree),
    })) as IslandsAdapter["createRoot"],
    hydrateRoot: ((container: unknown, tree: SvelteTree): void => start(svelte.hydrate, container, tree)) as IslandsAdapter["hydrateRoot"],
  };
}

/** `registerIslands()` with Svelte 5: each island of the page mounted as a Svelte component. */
export function registerSvelteIslands(
  components: IslandComponents,
  svelte: SvelteFunctions,
  options: SvelteIslandsOptions = {},
): Islands {
  const adapter: IslandsAdapter = svelteAdapter(svelte, options);
  if (options.root !== undefined) adapter.root = options.root;
  return registerIslands(components, adapter);
}
