/**
 * Streaming server renders: React's `renderToReadableStream` driven from Django, chunk by chunk.
 *
 * Django (django_duet/ssr/stream.py) starts one stream per V8 context at a time and pulls it:
 *
 * - `stream(name, propsJson, optionsJson)` starts the render (`{ok: true}`, or why not, as JSON;
 *   `inOrder: true` when the chunks are the container's content in document order, as Vue's);
 * - `pull()` resolves, as JSON, to what React wrote since the last pull: the shell first (with
 *   the head tags its components set), then each Suspense boundary's HTML and the inline scripts
 *   that put it in place, until `done`. Bytes cross as a Latin-1 string (one char per byte):
 *   Django writes them to the response as they are;
 * - `abort()` when the time budget is spent: React ends the stream, telling the browser to
 *   render the boundaries still pending;
 * - `finish()` ends the stream's state (the console is given back).
 *
 * The promises settle with V8's own timers and microtasks: nothing runs between pulls but
 * what the render scheduled.
 */
import { beginHead, endHead, type CollectedHead } from "./head.js";
import type { LogEntry } from "./server.js";

export interface ReadResult {
  done: boolean;
  value?: unknown;
}

export interface StreamReader {
  read(): Promise<ReadResult>;
}

/** What `renderToReadableStream` resolves to, as far as this module uses it. */
export interface ReadableStreamLike {
  getReader(): StreamReader;
}

export type RenderToReadableStream = (element: never, options?: never) => Promise<ReadableStreamLike>;

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

type Entry = LogEntry;

export interface StreamerDeps {
  components: Record<string, unknown>;
  createElement: (component: never, props: never) => unknown;
  renderToReadableStream: RenderToReadableStream;
  /** The chunks are the container's content in order (Vue), told to Django at the start. */
  inOrder?: boolean;
  captureConsole: (logs: Entry[]) => () => void;
  errorOf: (thrown: unknown) => ErrorInfo;
}

export interface Streamer {
  stream(name: string, propsJson: string, optionsJson: string): string;
  pull(): Promise<string>;
  abort(reason: string): void;
  finish(): string;
}

interface State {
  shell: Promise<ReadableStreamLike>;
  reader: StreamReader | null;
  pendingRead: Promise<ReadResult> | null;
  head: CollectedHead | null;
  errors: (ErrorInfo & { aborted: boolean })[];
  logs: Entry[];
  controller: Controller;
  restore: () => void;
}

interface Controller {
  signal: unknown;
  abort(reason?: unknown): void;
}

/** Bytes as a string of one char per byte (Latin-1), in slices that `apply` can take. */
function latin1(value: unknown): string {
  if (typeof value === "string") return value;
  const bytes = value as Uint8Array;
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  return text;
}

// Settled at once: loses a race only to a read that already has its chunk.
const IDLE: Promise<null> = Promise.resolve(null);

export function createStreamer(deps: StreamerDeps): Streamer {
  let state: State | null = null;

  function end(): Entry[] {
    const current = state;
    state = null;
    if (current === null) return [];
    // Ended early (the client went away): React stops, and schedules nothing more.
    current.controller.abort(new Error("the stream was closed"));
    current.restore();
    if (current.head === null) endHead();
    return current.logs;
  }

  async function drain(current: State): Promise<{ chunk: string; done: boolean }> {
    if (current.reader === null) current.reader = (await current.shell).getReader();
    const reader = current.reader;
    const first = await (current.pendingRead ?? reader.read());
    current.pendingRead = null;
    if (first.done) return { chunk: "", done: true };
    let chunk = latin1(first.value);
    // Whatever React wrote in the same flush goes in the same answer.
    for (;;) {
      const read = reader.read();
      const next = await Promise.race([read, IDLE]);
      if (next === null) {
        current.pendingRead = read;
        return { chunk, done: false };
      }
      if (next.done) return { chunk, done: true };
      chunk += latin1(next.value);
    }
  }

  return {
    stream(name: string, propsJson: string, optionsJson: string): string {
      end();
      const names = Object.keys(deps.components);
      const component = Object.prototype.hasOwnProperty.call(deps.components, name)
        ? deps.components[name]
        : undefined;
      if (component === undefined) return JSON.stringify({ ok: false, missing: name, known: names, logs: [] });
      const logs: Entry[] = [];
      const restore = deps.captureConsole(logs);
      const options = JSON.parse(optionsJson) as { nonce?: string; identifierPrefix?: string };
      // Installed by the polyfills where the host has none (mini-racer).
      const controller = new (globalThis as unknown as { AbortController: new () => Controller }).AbortController();
      const signal = controller.signal as { aborted: boolean };
      const errors: State["errors"] = [];
      beginHead();
      try {
        const props = JSON.parse(propsJson) as Record<string, unknown>;
        const element = deps.createElement(component as never, props as never);
        const shell = deps.renderToReadableStream(
          element as never,
          {
            ...options,
            signal: controller.signal,
            onError(error: unknown): void {
              errors.push({ ...deps.errorOf(error), aborted: signal.aborted });
            },
          } as never,
        );
        shell.catch(() => {}); // read by pull(); never an unhandled rejection
        state = { shell, reader: null, pendingRead: null, head: null, errors, logs, controller, restore };
      } catch (thrown) {
        endHead();
        restore();
        return JSON.stringify({ ok: false, error: deps.errorOf(thrown), logs });
      }
      return JSON.stringify(deps.inOrder === true ? { ok: true, inOrder: true } : { ok: true });
    },

    async pull(): Promise<string> {
      const current = state;
      if (current === null) return JSON.stringify({ ok: false, error: deps.errorOf("no stream started"), logs: [] });
      let answer: Record<string, unknown>;
      try {
        const { chunk, done } = await drain(current);
        answer = { ok: true, chunk, done };
        if (current.head === null) {
          current.head = endHead(); // the shell's components have rendered
          answer.head = current.head;
        }
      } catch (thrown) {
        // The shell failed (an error outside every Suspense boundary, or an abort before it).
        answer = { ok: false, error: deps.errorOf(thrown) };
      }
      answer.errors = current.errors.splice(0);
      answer.logs = current.logs.splice(0);
      return JSON.stringify(answer);
    },

    abort(reason: string): void {
      state?.controller.abort(new Error(reason));
    },

    finish(): string {
      return JSON.stringify(end());
    },
  };
}
