import { describe, expect, it } from "vitest";
import { hydrate } from "../../src/ssr/client.js";

describe("hydrate()", () => {
  function page(containers: { name: string; props: string; mode?: string }[], scripts: Record<string, string>) {
    return {
      querySelectorAll: () =>
        containers.map((c) => ({
          dataset: { duetSsr: c.name, duetProps: c.props, ...(c.mode ? { duetMode: c.mode } : {}) },
          textContent: "",
        })),
      getElementById: (id: string) => (id in scripts ? { dataset: {}, textContent: scripts[id] ?? null } : null),
    };
  }

  it("hydrates server-rendered containers and renders fallen-back ones", () => {
    const calls: string[] = [];
    const mounted = hydrate({
      components: { Page: "PageComponent" },
      createElement: (c: string, p: { n: number }) => `${c}(${p.n})`,
      hydrateRoot: (_el: unknown, element: string) => void calls.push(`hydrate ${element}`),
      createRoot: () => ({ render: (element: string) => void calls.push(`render ${element}`) }),
      root: page(
        [
          { name: "Page", props: "p1" },
          { name: "Page", props: "p2", mode: "client" },
        ],
        { p1: '{"n":1}', p2: '{"n":2}' },
      ),
    });
    expect(mounted).toBe(2);
    expect(calls).toEqual(["hydrate PageComponent(1)", "render PageComponent(2)"]);
  });

  it("says what is missing", () => {
    const base = { createElement: () => null, hydrateRoot: () => null, createRoot: () => ({ render: () => undefined }) };
    expect(() => hydrate({ ...base, components: {}, root: page([{ name: "Page", props: "p1" }], {}) })).toThrow(
      /container for "Page", which this entry does not declare/,
    );
    expect(() =>
      hydrate({ ...base, components: { Page: 1 }, root: page([{ name: "Page", props: "p9" }], {}) }),
    ).toThrow(/no props element with id "p9"/);
  });
});
