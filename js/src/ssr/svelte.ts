/**
 * `django-duet/ssr/svelte`: Svelte 5's server `render` for `createRenderer()` of `django-duet/ssr/server`.
 *
 * ```js
 * import { render } from "svelte/server";
 * import { createRenderer } from "django-duet/ssr/server";
 * import { svelteRenderer } from "django-duet/ssr/svelte";
 * import Article from "./pages/Article.svelte";
 *
 * createRenderer({ components: { Article }, ...svelteRenderer({ render }) });
 * ```
 *
 * Django's render is synchronous (one call into V8): Svelte's `render(component, { props })`
 * gives the `body` that goes into the container, the same HTML as in Node. A component that
 * awaits while rendering (an `await` expression with `experimental.async`) cannot render here:
 * an error that falls back to the browser, with a message that says so. An error thrown by a
 * component falls back the same way.
 *
 * The `head` Svelte renders (`<svelte:head>`) is merged into django-duet's `head()` collection:
 * its `<title>`, `<meta name|property content>`, `<link rel=canonical|alternate|prev|next>` and
 * `<script type="application/ld+json">` reach the page's `{{ page.head }}` like tags set with
 * `head()` (a tag both set: `<svelte:head>`'s wins, merged after the render). Anything else in
 * it (a stylesheet, a script, Svelte's injected `<style>`) is left out of the server's HTML with
 * a warning that Django logs; in the browser Svelte renders the whole `<svelte:head>` itself.
 */
import { head, type HeadLink, type HeadMeta, type HeadTags } from "./head.js";

/** What the renderer uses of Svelte's render result. */
export interface SvelteRenderOutput {
  readonly head: string;
  readonly body: string;
}

/** From `svelte/server`: `render`. */
export interface SvelteServerFunctions {
  render: (component: never, options?: never) => SvelteRenderOutput;
}

export interface SvelteRendererOptions {
  /** Svelte's `context` for each render (what `getContext()` reads), made afresh per render. */
  context?: () => Map<unknown, unknown>;
  /** Svelte's `idPrefix` (the prefix of `$props.id()`): the same as the browser's, if set there. */
  idPrefix?: string;
}

interface SvelteTree {
  readonly component: unknown;
  readonly props: Record<string, unknown>;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** The text of Svelte's escaped HTML (Django escapes it again when it writes the head). */
function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity: string, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? entity;
  });
}

function attributes(source: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of source.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    found[(match[1] ?? "").toLowerCase()] = unescape(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return found;
}

const LINK_RELS = new Set(["canonical", "alternate", "prev", "next"]);
const TAG = /<title>([\s\S]*?)<\/title>|<meta\b([^>]*?)\/?>|<link\b([^>]*?)\/?>|<script\b([^>]*)>([\s\S]*?)<\/script>|<style\b[^>]*>[\s\S]*?<\/style>/gi;

/**
 * Svelte's head HTML as django-duet head tags, and what could not be one (the markup left out).
 * Exported for the tests.
 */
export function headFromSvelte(html: string): { tags: HeadTags; dropped: string[] } {
  const tags: HeadTags = {};
  const meta: HeadMeta[] = [];
  const link: HeadLink[] = [];
  const jsonLd: Record<string, unknown>[] = [];
  const dropped: string[] = [];
  const rest = html.replace(/<!--[\s\S]*?-->/g, "").replace(TAG, (tag: string, title?: string, metaAttrs?: string, linkAttrs?: string, scriptAttrs?: string, script?: string) => {
    if (title !== undefined) {
      tags.title = unescape(title);
    } else if (metaAttrs !== undefined) {
      const a = attributes(metaAttrs);
      if ((a.name || a.property) && a.content !== undefined) {
        meta.push(a.name ? { name: a.name, content: a.content } : { property: a.property ?? "", content: a.content });
      } else {
        dropped.push(tag);
      }
    } else if (linkAttrs !== undefined) {
      const a = attributes(linkAttrs);
      const rel = (a.rel ?? "").toLowerCase();
      if (LINK_RELS.has(rel) && a.href !== undefined) {
        const entry: HeadLink = { rel: rel as HeadLink["rel"], href: a.href };
        if (a.hreflang) entry.hreflang = a.hreflang;
        link.push(entry);
      } else {
        dropped.push(tag);
      }
    } else if (scriptAttrs !== undefined && (attributes(scriptAttrs).type ?? "").toLowerCase() === "application/ld+json") {
      try {
        jsonLd.push(JSON.parse(script ?? "") as Record<string, unknown>);
      } catch {
        dropped.push(tag);
      }
    } else {
      dropped.push(tag);
    }
    return "";
  });
  if (rest.trim() !== "") dropped.push(rest.trim());
  if (meta.length > 0) tags.meta = meta;
  if (link.length > 0) tags.link = link;
  if (jsonLd.length > 0) tags.jsonLd = jsonLd;
  return { tags, dropped };
}

function isAwaitInvalid(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("await_invalid");
}

/**
 * `createElement` and `renderToString` for `createRenderer()`: the component rendered by
 * Svelte's `render(component, { props })`, as the browser's `hydrate(component, { props })` adopts it.
 */
export function svelteRenderer(
  svelte: SvelteServerFunctions,
  options: SvelteRendererOptions = {},
): { createElement: (component: never, props: never) => unknown; renderToString: (element: never) => string } {
  if (typeof svelte?.render !== "function") {
    throw new TypeError('django-duet svelteRenderer(): pass Svelte 5\'s render: import { render } from "svelte/server".');
  }
  const createElement = (component: unknown, props: Record<string, unknown>): SvelteTree => ({ component, props });
  const renderToString = (tree: SvelteTree): string => {
    const settings: Record<string, unknown> = { props: tree.props };
    if (options.context !== undefined) settings.context = options.context();
    if (options.idPrefix !== undefined) settings.idPrefix = options.idPrefix;
    let output: SvelteRenderOutput;
    let body: string;
    try {
      output = svelte.render(tree.component as never, settings as never);
      body = output.body; // Svelte renders when its result is read
    } catch (error) {
      if (!isAwaitInvalid(error)) throw error;
      throw new Error(
        "the component renders asynchronously (an `await` in its script or markup, with Svelte's " +
          "experimental.async): Django's server render is synchronous. Give the data as props from the " +
          "view instead (or use an {#await} block, whose pending branch renders on the server); the " +
          "component renders in the browser meanwhile.",
        { cause: error },
      );
    }
    const { tags, dropped } = headFromSvelte(output.head);
    if (Object.keys(tags).length > 0) head(tags);
    if (dropped.length > 0) {
      console.warn(
        `django-duet svelteRenderer(): left out of the server's <head> (only <title>, <meta>, <link rel=canonical|alternate|prev|next> ` +
          `and JSON-LD are written there; Svelte adds the rest in the browser): ${dropped.join(" ")}`,
      );
    }
    return body;
  };
  return {
    createElement: createElement as (component: never, props: never) => unknown,
    renderToString: renderToString as (element: never) => string,
  };
}
