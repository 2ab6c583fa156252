import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { build } from "vite";
import type { ConfigPluginContext, InlineConfig, Logger, Manifest, Plugin, UserConfig } from "vite";
import duet, { duet as namedDuet, normalizeStaticPrefix, normalizeStaticUrl } from "../../src/vite.js";
import type { DuetOptions } from "../../src/vite.js";

let root: string;
const ENV = "DUET_STATIC_URL";

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "duet-vite-"));
  write("src/shared.ts", 'export const greet = (name: string): string => `Hello, ${name}!`;\n');
  write("src/style.css", ".island { color: rgb(37, 99, 235); }\n");
  write("src/lazy.ts", 'export const lazy = "lazy";\n');
  write(
    "src/main.ts",
    [
      'import { greet } from "./shared";',
      'import "./style.css";',
      "console.log(greet(\"island\"));",
      'void import("./lazy").then((m) => console.log(m.lazy));',
      "",
    ].join("\n"),
  );
  write("src/app.ts", 'import { greet } from "./shared";\nconsole.log(greet("app"));\n');
  write(
    "index.html",
    '<!doctype html>\n<html><head><title>t</title></head><body><div id="root"></div>' +
      '<script type="module" src="/src/app.ts"></script></body></html>\n',
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  delete process.env[ENV];
  vi.restoreAllMocks();
});

/** A logger that keeps warnings, so a test can assert that the plugin causes none. */
function recordingLogger(warnings: string[]): Logger {
  const seen = new Set<string>();
  return {
    hasWarned: false,
    info: () => undefined,
    warn: (msg) => void warnings.push(msg),
    warnOnce: (msg) => {
      if (!seen.has(msg)) warnings.push(msg);
      seen.add(msg);
    },
    error: (msg) => void warnings.push(msg),
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
  };
}

async function runBuild(options: DuetOptions, extra: InlineConfig = {}): Promise<string[]> {
  const warnings: string[] = [];
  await build({
    root,
    configFile: false,
    logLevel: "silent",
    customLogger: recordingLogger(warnings),
    plugins: [duet(options)],
    ...extra,
  });
  return warnings;
}

function readJson<T>(rel: string): T {
  return JSON.parse(readFileSync(path.join(root, rel), "utf8")) as T;
}

describe("vite build with duet()", () => {
  it("builds with base /static/ and writes the manifest keyed by source path", async () => {
    const consoleWarn = vi.spyOn(console, "warn");
    const warnings = await runBuild({ input: ["src/main.ts", "index.html"] });
    expect(warnings).toEqual([]);
    expect(consoleWarn).not.toHaveBeenCalled();

    const manifest = readJson<Manifest>("dist/.vite/manifest.json");
    const main = manifest["src/main.ts"];
    const html = manifest["index.html"];
    const lazy = manifest["src/lazy.ts"];
    expect(main?.isEntry).toBe(true);
    expect(main?.css?.length).toBe(1);
    expect(main?.dynamicImports).toEqual(["src/lazy.ts"]);
    expect(html?.isEntry).toBe(true);
    expect(lazy?.isDynamicEntry).toBe(true);
    const shared = Object.keys(manifest).filter((key) => key.startsWith("_"));
    expect(shared.length).toBe(1);
    expect(main?.imports).toEqual(shared);
    expect(html?.imports).toEqual(shared);
    expect(main?.file.startsWith("assets/")).toBe(true);

    const page = readFileSync(path.join(root, "dist/index.html"), "utf8");
    expect(page).toContain(`src="/static/${html?.file ?? "?"}"`);

    expect(readFileSync(path.join(root, "dist/.vite/duet.json"), "utf8")).toBe(
      JSON.stringify({ version: 1, base: "/static/", staticPrefix: "", entries: ["src/main.ts", "index.html"] }, null, 2) +
        "\n",
    );
  });

  it("takes DUET_STATIC_URL over the staticUrl option, and adds staticPrefix", async () => {
    process.env[ENV] = "https://cdn.example.com/static";
    await runBuild({ input: "src/main.ts", staticUrl: "/ignored/", staticPrefix: "/frontend" });
    expect(readJson("dist/.vite/duet.json")).toEqual({
      version: 1,
      base: "https://cdn.example.com/static/frontend/",
      staticPrefix: "frontend/",
      entries: ["src/main.ts"],
    });
    // The dynamic import of the lazy chunk resolves against the base at runtime; the preload
    // helper carries the base in the bundle.
    const manifest = readJson<Manifest>("dist/.vite/manifest.json");
    expect(Object.keys(manifest)).not.toContain("index.html");
    const code = readFileSync(path.join(root, "dist", manifest["src/main.ts"]?.file ?? "?"), "utf8");
    expect(code).toContain("https://cdn.example.com/static/frontend/");
  });

  it("takes DUET_STATIC_PREFIX (the frontend's STATIC_PREFIX from Django) over staticPrefix", async () => {
    process.env.DUET_STATIC_PREFIX = "admin";
    try {
      await runBuild({ input: "src/main.ts", staticPrefix: "ignored/" });
      expect(readJson("dist/.vite/duet.json")).toMatchObject({ base: "/static/admin/", staticPrefix: "admin/" });
      process.env.DUET_STATIC_PREFIX = ""; // the default frontend: no prefix, even if the option has one
      await runBuild({ input: "src/main.ts", staticPrefix: "ignored/" });
      expect(readJson("dist/.vite/duet.json")).toMatchObject({ base: "/static/", staticPrefix: "" });
    } finally {
      delete process.env.DUET_STATIC_PREFIX;
    }
  });

  it("uses the staticUrl option and outDir, and keeps a base set by the user", async () => {
    await runBuild({ input: ["src/main.ts"], staticUrl: "assets-root", outDir: "build" });
    expect(readJson<{ base: string }>("build/.vite/duet.json").base).toBe("/assets-root/");
    expect(existsSync(path.join(root, "build/.vite/manifest.json"))).toBe(true);

    await runBuild({ input: ["src/main.ts"], outDir: "build" }, { base: "/mine/" });
    expect(readJson<{ base: string }>("build/.vite/duet.json").base).toBe("/mine/");
    // emptyOutDir: nothing left from the previous build but the new files.
    expect(readdirSync(path.join(root, "build")).sort()).toEqual([".vite", "assets"]);
  });

  it("fails with a clear message when an entry does not exist", async () => {
    await expect(runBuild({ input: ["src/missing.tsx"] })).rejects.toThrow(
      /entry "src\/missing\.tsx" does not exist.*fix the path in duet\(\{ input \}\)/,
    );
  });

  it("fails with a clear message when there is no entry", async () => {
    await expect(runBuild({ input: [] })).rejects.toThrow(/no entry: pass the entry modules/);
  });

  it("refuses an input set in the Vite config", async () => {
    await expect(
      runBuild({ input: ["src/main.ts"] }, { build: { rolldownOptions: { input: "src/app.ts" } } }),
    ).rejects.toThrow(/declare the entries in duet\(\{ input: \[\.\.\.\] \}\) instead/);
  });
});

describe("config hook", () => {
  function callConfig(plugin: Plugin, userConfig: UserConfig, command: "build" | "serve"): UserConfig {
    const hook = plugin.config;
    if (typeof hook !== "function") throw new Error("config hook is not a function");
    const context = { meta: { viteVersion: "8.3.0" } } as unknown as ConfigPluginContext;
    return hook.call(context, userConfig, { command, mode: "development" }) as UserConfig;
  }

  it("serves under STATIC_URL in serve mode too, and respects explicit build settings", () => {
    const config = callConfig(
      namedDuet({ input: "src/main.ts" }),
      { root, build: { outDir: "out", emptyOutDir: false, manifest: "m.json" } },
      "serve",
    );
    expect(config.base).toBe("/static/"); // the dev server's paths, proxied by Django (dev.test.ts)
    expect(config.build).toEqual({
      manifest: true,
      assetsDir: "assets",
      rolldownOptions: { input: [path.join(root, "src/main.ts")] },
    });
  });

  it("uses rollupOptions for Vite before 8", () => {
    const plugin = duet({ input: "src/main.ts" });
    const hook = plugin.config;
    if (typeof hook !== "function") throw new Error("config hook is not a function");
    const context = { meta: { viteVersion: "7.1.0" } } as unknown as ConfigPluginContext;
    const config = hook.call(context, { root }, { command: "build", mode: "production" }) as UserConfig;
    expect(config.build?.rollupOptions?.input).toEqual([path.join(root, "src/main.ts")]);
    expect(config.build?.rolldownOptions).toBeUndefined();
    expect(config.base).toBe("/static/");
  });
});

describe("normalizers", () => {
  it.each([
    ["/static/", "/static/"],
    ["/static", "/static/"],
    ["static/", "/static/"],
    ["https://cdn.example.com/static", "https://cdn.example.com/static/"],
    ["//cdn.example.com/s/", "//cdn.example.com/s/"],
  ])("normalizeStaticUrl(%j) is %j", (input, expected) => {
    expect(normalizeStaticUrl(input)).toBe(expected);
  });

  it("refuses an empty static URL", () => {
    expect(() => normalizeStaticUrl(" ")).toThrow(/staticUrl is empty/);
  });

  it.each([
    ["", ""],
    ["/", ""],
    ["frontend", "frontend/"],
    ["/frontend/", "frontend/"],
    ["a/b", "a/b/"],
  ])("normalizeStaticPrefix(%j) is %j", (input, expected) => {
    expect(normalizeStaticPrefix(input)).toBe(expected);
  });
});
