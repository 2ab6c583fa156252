/**
 * `django-duet/ssr/server`: the runtime of a server bundle, called by Django through mini-racer.
 *
 * The server entry (see `duetSsr({ entry })`) declares the components Django may render:
 *
 * ```tsx
 * import { createElement } from "react";
 * import { renderToString } from "react-dom/server";
 * import { createRenderer } from "django-duet/ssr/server";
 * import { ProductPage } from "./ProductPage";
 *
 * createRenderer({ components: { ProductPage }, createElement, renderToString });
 * ```
 *
 * It installs `globalThis.__duetSsr`, whose `render(name, propsJson)` Django calls with the
 * props as JSON text (parsed here: cheaper than passing an object across) and which returns JSON
 * text: `{ok: true, html, head, logs}`, or `{ok: false, error | missing, logs}`. It never
 * throws for a component's error, so Django gets the JS stack and the console output with it.
 */
import { beginHead, endHead, type CollectedHead } from "./head.js";
import { installPolyfills } from "./polyfills.js";
import { createStreamer, type RenderToReadableStream } from "./stream.js";

// The React functions are typed loosely (`never` parameters accept any function): the runtime
// only passes through what they return, and React's overloads defy a precise generic type.
export interface RendererOptions {
  /** The components Django may render, by the name templates use: `{% duet_render "ProductPage" %}`. */
  components: Record<string, unknown>;
  /** React's `createElement` (or any `(component, props) => element`). */
  createElement: (component: never, props: never) => unknown;
  /** React's `renderToString` from `react-dom/server` (or any `(element) => html`). */
  renderToString: (element: never) => string;
  /**
   * React's `renderToReadableStream` from `react-dom/server`: lets Django stream the page, the
   * shell first and each Suspense boundary as it resolves (`render_stream`, docs/ssr.md).
   */
  renderToReadableStream?: RenderToReadableStream;
  /**
   * The stream is the component's HTML in document order (Vue's `renderToWebStream`), not
   * React's shell followed by boundaries that its scripts move into place: Django then writes
   * every chunk inside the container and closes it after the last one.
   */
  streamInOrder?: boolean;
}

export interface LogEntry {
  level: "error" | "warn" | "log" | "info" | "debug";
  message: string;
}

export type RenderResult =
  | { ok: true; html: string; head: CollectedHead; logs: LogEntry[] }
  | { ok: false; error: { name: string; message: string; stack: string }; logs: LogEntry[] }
  | { ok: false; missing: string; known: string[]; logs: LogEntry[] };

export interface DuetServerRuntime {
  /** The protocol Django speaks with the bundle. */
  version: 1;
  components: string[];
  render(name: string, propsJson: string): string;
  /** With `renderToReadableStream`: a streaming render (see ./stream.ts). */
  stream?: (name: string, propsJson: string, optionsJson: string) => string;
  pull?: () => Promise<string>;
  abort?: (reason: string) => void;
  finish?: () => string;
}

const LEVELS = ["error", "warn", "log", "info", "debug"] as const;

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** React formats its warnings printf-style ("%s"): substitute, as a browser console would. */
function format(args: unknown[]): string {
  const [first, ...rest] = args;
  if (typeof first !== "string") return args.map(describe).join(" ");
  let i = 0;
  const text = first.replace(/%[sdifoOc]/g, (spec) => {
    if (i >= rest.length) return spec;
    const value = rest[i++];
    return spec === "%c" ? "" : describe(value);
  });
  return [text, ...rest.slice(i).map(describe)].join(" ");
}

/** Collects the console output of one render, so Django can log it (React's warnings included). */
function captureConsole(logs: LogEntry[]): () => void {
  const g = globalThis as unknown as { console: Record<string, unknown> | undefined };
  const original = g.console;
  const capture: Record<string, unknown> = { ...original };
  for (const level of LEVELS) {
    capture[level] = (...args: unknown[]): void => void logs.push({ level, message: format(args) });
  }
  g.console = capture;
  return () => {
    g.console = original;
  };
}

function errorOf(thrown: unknown): { name: string; message: string; stack: string } {
  if (thrown instanceof Error) {
    return { name: thrown.name, message: thrown.message, stack: thrown.stack ?? String(thrown) };
  }
  return { name: "Error", message: describe(thrown), stack: `thrown: ${describe(thrown)}` };
}

/** Declares the components of the bundle and installs `globalThis.__duetSsr`. */
export function createRenderer(options: RendererOptions): DuetServerRuntime {
  installPolyfills(globalThis as unknown as Record<string, unknown>);
  const names = Object.keys(options.components);
  const runtime: DuetServerRuntime = {
    version: 1,
    components: names,
    render(name: string, propsJson: string): string {
      const logs: LogEntry[] = [];
      let result: RenderResult;
      const component = Object.prototype.hasOwnProperty.call(options.components, name)
        ? options.components[name]
        : undefined;
      if (component === undefined) {
        result = { ok: false, missing: name, known: names, logs };
        return JSON.stringify(result);
      }
      const restore = captureConsole(logs);
      beginHead();
      try {
        const props = JSON.parse(propsJson) as Record<string, unknown>;
        const element = options.createElement(component as never, props as never);
        const html = options.renderToString(element as never);
        result = { ok: true, html, head: endHead(), logs };
      } catch (thrown) {
        endHead();
        result = { ok: false, error: errorOf(thrown), logs };
      } finally {
        restore();
      }
      return JSON.stringify(result);
    },
  };
  if (options.renderToReadableStream !== undefined) {
    const streamer = createStreamer({
      components: options.components,
      createElement: options.createElement,
      renderToReadableStream: options.renderToReadableStream,
      inOrder: options.streamInOrder === true,
      captureConsole,
      errorOf,
    });
    runtime.stream = streamer.stream;
    runtime.pull = streamer.pull;
    runtime.abort = streamer.abort;
    runtime.finish = streamer.finish;
  }
  (globalThis as { __duetSsr?: DuetServerRuntime }).__duetSsr = runtime;
  return runtime;
}
