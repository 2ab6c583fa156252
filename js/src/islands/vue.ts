/**
 * `django-duet/islands/vue`: the islands of a Django page as Vue 3 apps.
 *
 * ```ts
 * import { createApp, createSSRApp } from "vue";
 * import { registerVueIslands } from "django-duet/islands/vue";
 *
 * // Every .vue file of src/islands/ is an island named after its file, imported when it mounts.
 * registerVueIslands(import.meta.glob("./islands/*.vue"), { createApp, createSSRApp });
 * ```
 *
 * Each island becomes its own Vue app with the props Django wrote (`{% duet_island %}`):
 * `createSSRApp(...).mount(element)` hydrates the server's HTML (`ssr=True`), `createApp` renders
 * the others. Vue comes from the caller, as React does for `django-duet/islands`, so this package
 * depends on no Vue. `vueAdapter()` gives the same three functions to `registerIslands()` or to
 * `hydrate()` of `django-duet/ssr/client` (the `{% duet_render %}` containers).
 */
import { registerIslands, type IslandComponents, type IslandRoot, type Islands, type IslandsAdapter } from "./index.js";

/** What islands use of a Vue app. */
export interface VueApp {
  mount(container: never): unknown;
}

/** Vue's `createApp` and `createSSRApp` (from `vue`). */
export interface VueFunctions {
  createApp: (component: never, props?: never) => VueApp;
  createSSRApp: (component: never, props?: never) => VueApp;
}

export interface VueIslandsOptions {
  /** Called with each app before it mounts, e.g. `(app) => app.use(pinia)`. */
  setup?: (app: never, name: string) => void;
  /** Where to look for islands first. Default: `document`. */
  root?: IslandRoot;
}

/** The element `createElement` hands on: the component and its props, mounted as one app. */
interface VueTree {
  readonly component: unknown;
  readonly props: Record<string, unknown>;
}

function nameOf(component: unknown): string {
  const named = component as { name?: unknown; __name?: unknown } | null;
  const name = named?.name ?? named?.__name;
  return typeof name === "string" ? name : "";
}

/**
 * React's three island functions done with Vue: `createElement` pairs the component with its
 * props, `createRoot(el).render(tree)` mounts `createApp`, `hydrateRoot(el, tree)` mounts
 * `createSSRApp` (Vue hydrates when the container holds server HTML).
 */
export function vueAdapter(vue: VueFunctions, options: VueIslandsOptions = {}): Omit<IslandsAdapter, "root"> {
  if (typeof vue?.createApp !== "function" || typeof vue.createSSRApp !== "function") {
    throw new TypeError(
      'django-duet islands (vue): pass Vue\'s functions: import { createApp, createSSRApp } from "vue".',
    );
  }
  const start = (create: VueFunctions["createApp"], container: unknown, tree: VueTree): void => {
    const app = create(tree.component as never, tree.props as never);
    options.setup?.(app as never, nameOf(tree.component));
    app.mount(container as never);
  };
  return {
    createElement: ((component: unknown, props: Record<string, unknown>): VueTree => ({ component, props })) as IslandsAdapter["createElement"],
    createRoot: ((container: unknown) => ({
      render: (tree: VueTree): void => start(vue.createApp, container, tree),
    })) as IslandsAdapter["createRoot"],
    hydrateRoot: ((container: unknown, tree: VueTree): void => start(vue.createSSRApp, container, tree)) as IslandsAdapter["hydrateRoot"],
  };
}

/** `registerIslands()` with Vue: each island of the page mounted as a Vue app. */
export function registerVueIslands(
  components: IslandComponents,
  vue: VueFunctions,
  options: VueIslandsOptions = {},
): Islands {
  const adapter: IslandsAdapter = vueAdapter(vue, options);
  if (options.root !== undefined) adapter.root = options.root;
  return registerIslands(components, adapter);
}
