/**
 * `django-duet/ssr/head`: a component sets the page's title and meta tags, for crawlers.
 *
 * ```tsx
 * head({ title: product.name, meta: [{ name: "description", content: product.summary }] });
 * ```
 *
 * Call it while rendering (at the top of the page component). On the server, the tags are
 * collected for the render in progress and Django writes them into `<head>` (`{{ page.head }}`),
 * so they are in the first response. In the browser, the same call updates `document.title` and
 * the matching `<meta>`/`<link>` elements in place: idempotent, so hydration and re-renders are
 * harmless, and a page rendered in the browser only (after an SSR failure) gets them too.
 *
 * No dependency on React: any framework's component can call it.
 */

export interface HeadMeta {
  /** `<meta name="...">` (description, robots ...); give `name` or `property`. */
  name?: string;
  /** `<meta property="...">` (Open Graph: og:title, og:image ...). */
  property?: string;
  content: string;
}

export interface HeadLink {
  /** Only the kinds that describe the page: canonical, alternate, prev, next. */
  rel: "canonical" | "alternate" | "prev" | "next";
  href: string;
  hreflang?: string;
}

export interface HeadTags {
  title?: string;
  meta?: HeadMeta[];
  link?: HeadLink[];
  /** Structured data, each object written as `<script type="application/ld+json">`. */
  jsonLd?: Record<string, unknown>[];
}

/** What the server collects during one render (one `head()` call may override another). */
export interface CollectedHead {
  title: string | null;
  meta: HeadMeta[];
  link: HeadLink[];
  jsonLd: Record<string, unknown>[];
}

/** The collector of the render in progress, on a global so that two copies of this module share it. */
const COLLECTOR = "__duetHeadCollector";

type Globals = { [COLLECTOR]?: CollectedHead | null; document?: DocumentLike };

interface ElementLike {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}
interface DocumentLike {
  title: string;
  head: { appendChild(node: ElementLike): unknown } | null;
  querySelector(selectors: string): ElementLike | null;
  createElement(tag: string): ElementLike;
}

function metaKey(meta: HeadMeta): string {
  if (meta.name) return `name=${meta.name}`;
  if (meta.property) return `property=${meta.property}`;
  throw new Error(`django-duet head(): a meta tag needs a name or a property: ${JSON.stringify(meta)}`);
}

function linkKey(link: HeadLink): string {
  return `${link.rel} ${link.hreflang ?? ""}`;
}

/** Starts collecting for one server render (called by the renderer, not by components). */
export function beginHead(): void {
  (globalThis as Globals)[COLLECTOR] = { title: null, meta: [], link: [], jsonLd: [] };
}

/** Ends the server render's collection and returns what the components set. */
export function endHead(): CollectedHead {
  const g = globalThis as Globals;
  const collected = g[COLLECTOR] ?? { title: null, meta: [], link: [], jsonLd: [] };
  g[COLLECTOR] = null;
  return collected;
}

function collect(into: CollectedHead, tags: HeadTags): void {
  if (tags.title !== undefined) into.title = String(tags.title);
  for (const meta of tags.meta ?? []) {
    const key = metaKey(meta);
    into.meta = into.meta.filter((m) => metaKey(m) !== key); // the last call wins
    into.meta.push({ ...meta, content: String(meta.content) });
  }
  for (const link of tags.link ?? []) {
    const key = linkKey(link);
    into.link = into.link.filter((l) => linkKey(l) !== key);
    into.link.push({ ...link });
  }
  into.jsonLd.push(...(tags.jsonLd ?? []));
}

function cssString(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

function apply(doc: DocumentLike, tags: HeadTags): void {
  if (tags.title !== undefined && doc.title !== tags.title) doc.title = tags.title;
  const upsert = (selector: string, tag: string, attrs: Record<string, string>, valueAttr: string): void => {
    let element = doc.querySelector(selector);
    if (element === null) {
      element = doc.createElement(tag);
      for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
      doc.head?.appendChild(element);
    }
    const value = attrs[valueAttr] ?? "";
    if (element.getAttribute(valueAttr) !== value) element.setAttribute(valueAttr, value);
  };
  for (const meta of tags.meta ?? []) {
    const [attr, key] = meta.name ? ["name", meta.name] : ["property", meta.property ?? ""];
    metaKey(meta);
    upsert(`meta[${attr}=${cssString(key)}]`, "meta", { [attr]: key, content: meta.content }, "content");
  }
  for (const link of tags.link ?? []) {
    const lang = link.hreflang ? `[hreflang=${cssString(link.hreflang)}]` : "";
    const attrs: Record<string, string> = { rel: link.rel, href: link.href };
    if (link.hreflang) attrs.hreflang = link.hreflang;
    upsert(`link[rel=${cssString(link.rel)}]${lang}`, "link", attrs, "href");
  }
}

/** Sets the page's head tags: collected during a server render, applied to `document` in a browser. */
export function head(tags: HeadTags): void {
  const g = globalThis as Globals;
  const collector = g[COLLECTOR];
  if (collector) {
    collect(collector, tags);
    return;
  }
  if (g.document !== undefined) apply(g.document, tags);
  // Elsewhere (a test, a server render outside createRenderer): nothing to do.
}
