/**
 * svelteRenderer() under createRenderer(): the body goes into the container, Svelte's head
 * (`<svelte:head>`) merges into the head() collection, an await is an error that says so.
 * `render` stands in for Svelte's (its real output is compared with Node's in
 * tests/ssr/test_svelte_ssr.py); the strings are what Svelte 5's server render gives.
 */
import { describe, expect, it } from "vitest";
import { head } from "../../src/ssr/head.js";
import { createRenderer } from "../../src/ssr/server.js";
import { headFromSvelte, svelteRenderer } from "../../src/ssr/svelte.js";

type Props = Record<string, unknown>;
type Component = (props: Props) => { head: string; body: string };

const render = (component: Component, options: { props: Props }) => component(options.props);

const Page: Component = (props) => {
  head({ title: "from head()", meta: [{ name: "description", content: "duet" }] });
  return {
    head:
      '<!--1ab2c3--><meta name="description" content="About &quot;it&quot; &amp; more"/>' +
      '<link rel="canonical" href="/a?x=1&amp;y=2"/><link rel="stylesheet" href="/s.css"/><!---->' +
      `<title>${String(props.title)} &amp; co</title><style id="svelte-x">p{color:red}</style>`,
    body: `<!--[--><p>${String(props.title)}</p><!--]-->`,
  };
};

const Waits: Component = () => {
  const error = new Error("await_invalid\nEncountered asynchronous work while rendering synchronously.");
  error.name = "Svelte error";
  throw error;
};

describe("svelteRenderer()", () => {
  const runtime = createRenderer({ components: { Page, Waits }, ...svelteRenderer({ render } as never) });

  it("renders the body, and merges Svelte's head after the head() calls", () => {
    const result = JSON.parse(runtime.render("Page", '{"title":"Ada"}'));
    expect(result.ok).toBe(true);
    expect(result.html).toBe("<!--[--><p>Ada</p><!--]-->");
    expect(result.head).toEqual({
      title: "Ada & co",
      meta: [{ name: "description", content: 'About "it" & more' }],
      link: [{ rel: "canonical", href: "/a?x=1&y=2" }],
      jsonLd: [],
    });
    expect(result.logs).toHaveLength(1);
    expect(result.logs[0].level).toBe("warn");
    expect(result.logs[0].message).toContain('left out of the server\'s <head>');
    expect(result.logs[0].message).toContain('<link rel="stylesheet" href="/s.css"/>');
    expect(result.logs[0].message).toContain('<style id="svelte-x">');
  });

  it("turns Svelte's await_invalid into an error that says what to do", () => {
    const result = JSON.parse(runtime.render("Waits", "{}"));
    expect(result.ok).toBe(false);
    expect(result.error.message).toContain("renders asynchronously");
    expect(result.error.message).toContain("Django's server render is synchronous");
  });

  it("refuses a call without Svelte's render", () => {
    expect(() => svelteRenderer({} as never)).toThrow('import { render } from "svelte/server"');
  });
});

describe("headFromSvelte()", () => {
  it("reads JSON-LD, Open Graph and hreflang links, and nothing from an empty head", () => {
    expect(headFromSvelte("")).toEqual({ tags: {}, dropped: [] });
    const { tags, dropped } = headFromSvelte(
      '<meta property="og:title" content="T"/><link rel="alternate" hreflang="fr" href="/fr/"/>' +
        '<script type="application/ld+json">{"@type":"Article"}</script><script>alert(1)</script>',
    );
    expect(tags).toEqual({
      meta: [{ property: "og:title", content: "T" }],
      link: [{ rel: "alternate", href: "/fr/", hreflang: "fr" }],
      jsonLd: [{ "@type": "Article" }],
    });
    expect(dropped).toEqual(["<script>alert(1)</script>"]);
  });
});
