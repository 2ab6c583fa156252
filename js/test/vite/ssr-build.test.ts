import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBuilder } from "vite";
import type { InlineConfig, Manifest, Plugin, ViteBuilder } from "vite";
import duet from "../../src/vite.js";
import duetSsr, { SSR_ENVIRONMENT } from "../../src/ssr.js";
import type { DuetSsrRecord } from "../../src/ssr.js";

const SRC = path.resolve(import.meta.dirname, "../../src");
let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "duet-ssr-"));
  // A tiny "framework": elements are functions of props, rendered to strings; no React needed.
  write(
    "src/Page.ts",
    [
      `import { head } from ${JSON.stringify(path.join(SRC, "ssr/head.ts"))};`,
      "export function Page(props: { name: string }): string {",
      "  head({ title: `Page of ${props.name}` });",
      '  const lazy = "lazy";',
      "  return `<p>${props.name} ${lazy} ${new TextEncoder().encode(\"é\").length}</p>`;",
      "}",
      "export function Broken(): string {",
      '  throw new RangeError("no such page");',
      "}",
      "",
    ].join("\n"),
  );
  write(
    "src/server.ts",
    [
      `import { createRenderer } from ${JSON.stringify(path.join(SRC, "ssr/server.ts"))};`,
      'import { Page, Broken } from "./Page";',
      "createRenderer({",
      "  components: { Page, Broken },",
      "  createElement: (c: (p: never) => string, p: never) => () => c(p),",
      "  renderToString: (e: () => string) => e(),",
      "});",
      "",
    ].join("\n"),
  );
  write("src/client.ts", 'import { Page } from "./Page";\nconsole.log(Page({ name: "client" }));\n');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function buildApp(): Promise<void> {
  const builder = await createBuilder({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: [duet({ input: ["src/client.ts"] }), duetSsr({ entry: "src/server.ts" })],
  });
  await builder.buildApp();
}

function readJson<T>(rel: string): T {
  return JSON.parse(readFileSync(path.join(root, rel), "utf8")) as T;
}

/** A context with nothing but ECMAScript, as in mini-racer. */
function bareV8(): vm.Context {
  return vm.createContext({});
}

describe("vite build with duetSsr()", () => {
  it("builds the browser entries and a self-contained server bundle recorded for Django", async () => {
    await buildApp();
    const manifest = readJson<Manifest>("dist/.vite/manifest.json");
    expect(Object.keys(manifest)).toEqual(["src/client.ts"]);
    const record = readJson<DuetSsrRecord>("dist/.vite/duet-ssr.json");
    expect(record.version).toBe(1);
    expect(record.entry).toBe("src/server.ts");
    expect(record.file).toMatch(/^\.vite\/ssr\/server-[\w-]+\.js$/);
    expect(readdirSync(path.join(root, "dist/.vite/ssr"))).toEqual([path.basename(record.file)]);
    // duet.json belongs to the browser build only.
    expect(readJson<{ entries: string[] }>("dist/.vite/duet.json").entries).toEqual(["src/client.ts"]);

    const source = readFileSync(path.join(root, "dist", record.file), "utf8");
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    const context = bareV8();
    vm.runInContext(source, context);
    const answer = vm.runInContext(`__duetSsr.render("Page", '{"name":"Ada"}')`, context) as string;
    expect(JSON.parse(answer)).toEqual({
      ok: true,
      html: "<p>Ada lazy 2</p>",
      head: { title: "Page of Ada", meta: [], link: [], jsonLd: [] },
      logs: [],
    });
    const broken = JSON.parse(vm.runInContext(`__duetSsr.render("Broken", "{}")`, context) as string);
    expect(broken.ok).toBe(false);
    expect(broken.error.name).toBe("RangeError");
    expect(broken.error.stack).toContain("Broken");
  });

  it("keeps the previous server bundle on a rebuild and removes older ones", async () => {
    await buildApp();
    const dir = path.join(root, "dist/.vite/ssr");
    const first = readJson<DuetSsrRecord>("dist/.vite/duet-ssr.json").file;
    writeFileSync(path.join(dir, "server-old00000.js"), "// an older build\n");
    write("src/Page.ts", readFileSync(path.join(root, "src/Page.ts"), "utf8").replace("Page of", "Page rebuilt of"));
    // Only the server environment, as the dev server's rebuild does.
    const builder = await createBuilder({
      root,
      configFile: false,
      logLevel: "silent",
      plugins: [duet({ input: ["src/client.ts"] }), duetSsr({ entry: "src/server.ts" })],
    });
    expect(Object.keys(builder.environments).sort()).toEqual(["client", SSR_ENVIRONMENT]);
    const server = builder.environments[SSR_ENVIRONMENT];
    if (server !== undefined) await builder.build(server);
    const second = readJson<DuetSsrRecord>("dist/.vite/duet-ssr.json").file;
    expect(second).not.toBe(first);
    expect(readdirSync(dir).sort()).toEqual([path.basename(first), path.basename(second)].sort());
  });

  it("fails with a clear message when the server entry does not exist", async () => {
    await expect(
      createBuilder({ root, configFile: false, logLevel: "silent", plugins: [duetSsr({ entry: "src/nope.tsx" })] }),
    ).rejects.toThrow(/server entry "src\/nope\.tsx" does not exist.*duetSsr\(\{ entry:/);
  });
});

/** A plugin that sets the `ssr` options, as @vitejs/plugin-vue does: Vite then adds an "ssr" environment. */
const setsSsrOptions: Plugin = { name: "sets-ssr-options", config: () => ({ ssr: { external: [] } }) };

/** Records each environment's builds, in order. */
function recordBuilds(built: string[]): Plugin {
  return {
    name: "record-builds",
    buildStart() {
      built.push(this.environment.name);
    },
  };
}

async function builderWith(config: InlineConfig, built: string[]): Promise<ViteBuilder> {
  return createBuilder({
    root,
    configFile: false,
    logLevel: "silent",
    ...config,
    plugins: [...(config.plugins ?? []), duet({ input: ["src/client.ts"] }), duetSsr({ entry: "src/server.ts" }), recordBuilds(built)],
  });
}

describe("vite build builds the app's environments only", () => {
  it("leaves out the ssr environment Vite adds for a plugin's ssr options (@vitejs/plugin-vue)", async () => {
    const built: string[] = [];
    const builder = await builderWith({ plugins: [setsSsrOptions] }, built);
    expect(Object.keys(builder.environments).sort()).toEqual(["client", SSR_ENVIRONMENT, "ssr"]);
    await builder.buildApp();
    expect(built).toEqual(["client", SSR_ENVIRONMENT]);
    // The browser build is intact (Vite's "ssr" build would have written over it).
    expect(Object.keys(readJson<Manifest>("dist/.vite/manifest.json"))).toEqual(["src/client.ts"]);
    expect(readJson<DuetSsrRecord>("dist/.vite/duet-ssr.json").entry).toBe("src/server.ts");
  });

  it("builds the environments the config declares, an ssr one included", async () => {
    const built: string[] = [];
    const node = { build: { outDir: "dist-node", rollupOptions: { input: "src/server.ts" } } };
    const builder = await builderWith({ plugins: [setsSsrOptions], environments: { ssr: node, edge: node } }, built);
    await builder.buildApp();
    expect([...built].sort()).toEqual(["client", "edge", SSR_ENVIRONMENT, "ssr"].sort());
    expect(built[0]).toBe("client");
  });

  it("builds an environment a plugin declares", async () => {
    const built: string[] = [];
    const declares: Plugin = {
      name: "declares-worker",
      config: () => ({ environments: { worker: { build: { outDir: "dist-worker", rollupOptions: { input: "src/server.ts" } } } } }),
    };
    const builder = await builderWith({ plugins: [declares] }, built);
    await builder.buildApp();
    expect([...built].sort()).toEqual(["client", SSR_ENVIRONMENT, "worker"].sort());
  });

  it("runs the user's own buildApp instead", async () => {
    const built: string[] = [];
    const builder = await builderWith(
      {
        plugins: [setsSsrOptions],
        builder: {
          async buildApp(b) {
            await b.build(b.environments.client!);
          },
        },
      },
      built,
    );
    await builder.buildApp();
    expect(built).toEqual(["client"]);
  });

  it("builds nothing twice after a plugin's buildApp hook", async () => {
    const built: string[] = [];
    const buildsClient: Plugin = {
      name: "builds-client",
      async buildApp(b) {
        await b.build(b.environments.client!);
      },
    };
    const builder = await builderWith({ plugins: [buildsClient, setsSsrOptions] }, built);
    await builder.buildApp();
    expect(built).toEqual(["client", SSR_ENVIRONMENT]);
  });
});

describe("duetSsr() with the dev server", () => {
  it("rebuilds the server bundle when a source file changes", async () => {
    const { createServer } = await import("vite");
    const recordFile = path.join(root, "dist/.vite/duet-ssr.json");
    rmSync(path.join(root, "dist"), { recursive: true, force: true });
    const server = await createServer({
      root,
      configFile: false,
      logLevel: "silent",
      server: { watch: { usePolling: true, interval: 50 } },
      plugins: [duet({ input: ["src/client.ts"] }), duetSsr({ entry: "src/server.ts" })],
    });
    try {
      const bundleText = (): string => {
        const record = JSON.parse(readFileSync(recordFile, "utf8")) as DuetSsrRecord;
        return readFileSync(path.join(root, "dist", record.file), "utf8");
      };
      // Built once when the server starts, so Django has a bundle before any edit.
      await vi.waitFor(() => expect(existsSync(recordFile)).toBe(true), { timeout: 15_000, interval: 100 });
      expect(bundleText()).not.toContain("edited in dev");
      const source = readFileSync(path.join(root, "src/Page.ts"), "utf8");
      write("src/Page.ts", source.replace(/Page (rebuilt )?of/, "Page edited in dev of"));
      await vi.waitFor(() => expect(bundleText()).toContain("edited in dev"), { timeout: 15_000, interval: 100 });
    } finally {
      await server.close();
    }
  });
});
