import { describe, expect, it } from "vitest";
import { beginHead, endHead, head } from "../../src/ssr/head.js";

describe("head()", () => {
  it("collects during a server render, the last value of a tag winning", () => {
    beginHead();
    head({ title: "One", meta: [{ name: "description", content: "first" }] });
    head({
      title: "Two",
      meta: [{ name: "description", content: "second" }, { property: "og:title", content: "Two" }],
      link: [{ rel: "canonical", href: "/a" }],
    });
    expect(endHead()).toEqual({
      title: "Two",
      meta: [
        { name: "description", content: "second" },
        { property: "og:title", content: "Two" },
      ],
      link: [{ rel: "canonical", href: "/a" }],
      jsonLd: [],
    });
  });

  it("refuses a meta tag with neither name nor property", () => {
    beginHead();
    expect(() => head({ meta: [{ content: "x" }] })).toThrow(/needs a name or a property/);
    endHead();
  });

  it("updates the document in a browser, in place", () => {
    const elements: Record<string, string>[] = [{ name: "description", content: "old" }];
    const find = (selector: string): Record<string, string> | undefined =>
      elements.find((e) => Object.entries(e).every(([k, v]) => k === "content" || k === "href" || selector.includes(`${k}="${v}"`)));
    const doc = {
      title: "before",
      head: { appendChild: (node: { attrs: Record<string, string> }) => void elements.push(node.attrs) },
      querySelector: (selector: string) => {
        const found = find(selector);
        return found === undefined
          ? null
          : { getAttribute: (n: string) => found[n] ?? null, setAttribute: (n: string, v: string) => void (found[n] = v) };
      },
      createElement: () => {
        const attrs: Record<string, string> = {};
        return { attrs, getAttribute: (n: string) => attrs[n] ?? null, setAttribute: (n: string, v: string) => void (attrs[n] = v) };
      },
    };
    (globalThis as { document?: unknown }).document = doc;
    try {
      head({ title: "after", meta: [{ name: "description", content: "new" }, { property: "og:type", content: "product" }] });
    } finally {
      delete (globalThis as { document?: unknown }).document;
    }
    expect(doc.title).toBe("after");
    expect(elements).toEqual([
      { name: "description", content: "new" },
      { property: "og:type", content: "product" },
    ]);
  });
});
