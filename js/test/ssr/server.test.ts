import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { head } from "../../src/ssr/head.js";
import { createRenderer } from "../../src/ssr/server.js";

const SRC = path.resolve(import.meta.dirname, "../../src");

describe("createRenderer()", () => {
  const runtime = createRenderer({
    components: {
      Hello: (props: { name: string }) => {
        console.error("Warning: %s is %d", "x", 3);
        head({ title: props.name });
        return `<b>${props.name}</b>`;
      },
      Boom: () => {
        throw "not an Error";
      },
    },
    createElement: (component: (p: never) => string, props: never) => () => component(props),
    renderToString: (element: () => string) => element(),
  });

  it("renders with the props JSON, collecting the head and the console", () => {
    const before = console.error;
    expect(JSON.parse(runtime.render("Hello", '{"name":"Ada"}'))).toEqual({
      ok: true,
      html: "<b>Ada</b>",
      head: { title: "Ada", meta: [], link: [], jsonLd: [] },
      logs: [{ level: "error", message: "Warning: x is 3" }],
    });
    expect(console.error).toBe(before);
  });

  it("reports unknown components and thrown values without throwing", () => {
    expect(JSON.parse(runtime.render("toString", "{}"))).toEqual({
      ok: false,
      missing: "toString",
      known: ["Hello", "Boom"],
      logs: [],
    });
    const boom = JSON.parse(runtime.render("Boom", "{}"));
    expect(boom.error).toEqual({ name: "Error", message: "not an Error", stack: "thrown: not an Error" });
  });
});

it("keeps the server runtime free of Node APIs", () => {
  // Everything under src/ssr/ runs in a bare V8 or in the browser; the build plugin, which
  // needs Node, lives in src/vite/ and is exported as `django-duet/ssr` by src/ssr.ts.
  const files = readdirSync(path.join(SRC, "ssr")).map((name) => `ssr/${name}`);
  expect(files.sort()).toEqual([
    "ssr/client.ts",
    "ssr/head.ts",
    "ssr/polyfills.ts",
    "ssr/server.ts",
    "ssr/stream.ts",
    "ssr/svelte.ts",
    "ssr/vue.ts",
  ]);
  for (const file of files) {
    expect(readFileSync(path.join(SRC, file), "utf8")).not.toMatch(/from "node:/);
  }
  expect(existsSync(path.join(SRC, "ssr.ts"))).toBe(true);
});
