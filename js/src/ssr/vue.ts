/**
 * `django-duet/ssr/vue`: Vue 3's server renderer for `createRenderer()` of `django-duet/ssr/server`.
 *
 * ```ts
 * import { createSSRApp, createVNode, ssrContextKey } from "vue";
 * import { ssrRenderVNode } from "vue/server-renderer";
 * import { createRenderer } from "django-duet/ssr/server";
 * import { vueRenderer } from "django-duet/ssr/vue";
 * import Counter from "./islands/Counter.vue";
 *
 * createRenderer({
 *   components: { Counter },
 *   ...vueRenderer({ createSSRApp, createVNode, ssrContextKey, ssrRenderVNode }),
 * });
 * ```
 *
 * Django's render is synchronous (one call into V8), and Vue's `renderToString` returns a
 * promise. This renders the app's root as `renderToString` does (the same app context, the
 * same SSR context, the same HTML) but unrolls Vue's buffer at once: a component whose
 * render waits for something (an `async setup()`, `serverPrefetch`, `<Suspense>` content)
 * cannot render here, and is an error that falls back to the browser. An error inside a
 * component, which Vue reports to the app's `errorHandler` and renders as a comment, is an error
 * of the render too (the browser then renders the component).
 *
 * Streaming (`StreamingPage`, docs/frameworks.md): pass `renderToWebStream` too (from
 * `vue/server-renderer`). Vue then renders as in Node, waiting for what it waits for (an
 * `async setup()` under `<Suspense>`, `serverPrefetch`), and Django sends each piece of the
 * component's HTML as Vue writes it, in order, inside the container. An error or the time
 * budget running out after the first piece makes the browser render the component instead.
 */
import type { ReadableStreamLike, ReadResult, RenderToReadableStream } from "./stream.js";

/** What the renderer uses of a Vue app. */
export interface VueServerApp {
  readonly _component: unknown;
  readonly _props: Record<string, unknown> | null;
  readonly _context: unknown;
  readonly config: { errorHandler?: ((error: unknown, instance: unknown, info: string) => void) | undefined };
  provide(key: unknown, value: unknown): unknown;
}

/** From `vue`: `createSSRApp`, `createVNode`, `ssrContextKey`; from `vue/server-renderer`: `ssrRenderVNode`. */
export interface VueServerFunctions {
  createSSRApp: (component: never, props?: never) => VueServerApp;
  createVNode: (type: never, props?: never) => unknown;
  ssrContextKey: unknown;
  ssrRenderVNode: (push: (item: unknown) => void, vnode: never, parentComponent: null) => void;
  /** From `vue/server-renderer`, for streaming renders: `renderToWebStream`. */
  renderToWebStream?: (app: never, context?: never) => ReadableStreamLike;
}

export interface VueRendererOptions {
  /** Called with each app before it renders, e.g. `(app) => app.use(i18n)`: as in the browser. */
  setup?: (app: never) => void;
}

interface VueTree {
  readonly component: unknown;
  readonly props: Record<string, unknown>;
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Vue's SSR buffer (strings and nested buffers) as one string; a promise in it is an error. */
function unroll(buffer: readonly unknown[], describe: () => string): string {
  let html = "";
  for (const item of buffer) {
    if (typeof item === "string") {
      html += item;
    } else if (Array.isArray(item)) {
      html += unroll(item, describe);
    } else if (isThenable(item)) {
      (item as Promise<unknown>).catch(() => {}); // its error is reported below, not unhandled
      throw new Error(
        `${describe()} renders asynchronously (an async setup(), serverPrefetch or <Suspense> content): ` +
          "Django's server render is synchronous. Give the data as props from the view instead; " +
          "the component renders in the browser meanwhile.",
      );
    }
  }
  return html;
}

function stopWatchers(context: Record<string, unknown>): void {
  const handles = context.__watcherHandles;
  if (Array.isArray(handles)) for (const stop of handles) (stop as () => void)();
}

const TELEPORT_ERROR =
  "the component uses <Teleport>, whose content goes elsewhere in the page: Django's server render " +
  "returns one piece of HTML. Render the teleported part in the browser (e.g. after onMounted).";

interface AbortSignalLike {
  aborted: boolean;
  reason?: unknown;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** `read` unless the signal aborts first: then its reason. */
function unlessAborted(read: Promise<ReadResult>, signal: AbortSignalLike | undefined): Promise<ReadResult> {
  if (signal === undefined) return read;
  if (signal.aborted) {
    read.catch(() => {});
    return Promise.reject(signal.reason ?? new Error("aborted"));
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort);
    read.then(
      (result) => {
        signal.removeEventListener("abort", onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** What `vueRenderer()` gives `createRenderer()`. */
export interface VueRenderer {
  createElement: (component: never, props: never) => unknown;
  renderToString: (element: never) => string;
  /** With `renderToWebStream`: Vue's stream, read by Django chunk by chunk. */
  renderToReadableStream?: RenderToReadableStream;
  streamInOrder?: boolean;
}

/**
 * `createElement` and `renderToString` for `createRenderer()`: the component is rendered as the
 * root of `createSSRApp(component, props)`, as the browser's `createSSRApp` hydrates it.
 */
export function vueRenderer(vue: VueServerFunctions, options: VueRendererOptions = {}): VueRenderer {
  for (const key of ["createSSRApp", "createVNode", "ssrRenderVNode"] as const) {
    if (typeof vue?.[key] !== "function") {
      throw new TypeError(
        `django-duet vueRenderer(): ${key} is missing. Pass { createSSRApp, createVNode, ssrContextKey } ` +
          'from "vue" and { ssrRenderVNode } from "vue/server-renderer".',
      );
    }
  }
  const createElement = (component: unknown, props: Record<string, unknown>): VueTree => ({ component, props });
  /** The app of one render, and the errors its components report to Vue. */
  const createApp = (tree: VueTree): { app: VueServerApp; errors: unknown[] } => {
    const app = vue.createSSRApp(tree.component as never, tree.props as never);
    options.setup?.(app as never);
    const errors: unknown[] = [];
    const own = app.config.errorHandler;
    app.config.errorHandler = (error, instance, info) => {
      errors.push(error);
      own?.(error, instance, info);
    };
    return { app, errors };
  };
  const renderToString = (tree: VueTree): string => {
    const { app, errors } = createApp(tree);
    const context: Record<string, unknown> = {};
    app.provide(vue.ssrContextKey, context);
    const vnode = vue.createVNode(app._component as never, app._props as never) as { appContext: unknown };
    vnode.appContext = app._context;
    const buffer: unknown[] = [];
    try {
      vue.ssrRenderVNode((item) => void buffer.push(item), vnode as never, null);
      const html = unroll(buffer, () => "the component");
      if (errors.length > 0) throw errors[0];
      if (context.__teleportBuffers !== undefined) throw new Error(TELEPORT_ERROR);
      return html;
    } finally {
      stopWatchers(context);
    }
  };
  const renderer: VueRenderer = {
    createElement: createElement as (component: never, props: never) => unknown,
    renderToString: renderToString as (element: never) => string,
  };
  const renderToWebStream = vue.renderToWebStream;
  if (typeof renderToWebStream !== "function") return renderer;
  // Vue's own stream (it provides the SSR context and stops the watchers), read through a
  // reader that fails on what Django must not send: a component's error, a <Teleport>, an abort.
  const renderToReadableStream = (tree: VueTree, streamOptions?: { signal?: AbortSignalLike }): Promise<ReadableStreamLike> => {
    const { app, errors } = createApp(tree);
    const context: Record<string, unknown> = {};
    const stream = renderToWebStream(app as never, context as never);
    const signal = streamOptions?.signal;
    let reader: ReturnType<ReadableStreamLike["getReader"]> | null = null;
    return Promise.resolve({
      getReader: () => ({
        read: async (): Promise<ReadResult> => {
          reader ??= stream.getReader();
          const result = await unlessAborted(reader.read(), signal);
          if (errors.length > 0) throw errors[0];
          if (result.done && context.__teleportBuffers !== undefined) throw new Error(TELEPORT_ERROR);
          return result;
        },
      }),
    });
  };
  renderer.renderToReadableStream = renderToReadableStream as RenderToReadableStream;
  renderer.streamInOrder = true;
  return renderer;
}
