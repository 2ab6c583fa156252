/**
 * `django-duet/ssr`: the Vite plugin that builds the server bundle Django renders with.
 *
 * `plugins: [react(), duet({...}), duetSsr({ entry: "src/ssr/server.tsx" })]` makes `vite build`
 * build two environments: the browser build (as before), then a server bundle of the entry:
 * one self-contained classic script (no imports, no Node APIs, the polyfills React's server
 * renderer needs in a bare V8 at its top) written to `<outDir>/.vite/ssr/server-<hash>.js`.
 * `<outDir>/.vite/duet-ssr.json` records which file is current; Django reads that record.
 * `.vite/` is never collected nor served as a static file, so the bundle stays private.
 *
 * With the dev server running, the server bundle is rebuilt when a source file changes, so the
 * next request that Django renders shows the edit.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ConfigEnv, EnvironmentOptions, Plugin, UserConfig, ViteDevServer } from "vite";
import { polyfillBanner } from "../ssr/polyfills.js";

/** Options of {@link duetSsr}. */
export interface DuetSsrOptions {
  /**
   * The server entry, relative to the Vite root: a module that calls `createRenderer()` from
   * `django-duet/ssr/server` with the components that Django may render.
   */
  entry: string;
  /** Minify the server bundle. Default: `false`, so that the JS stacks Django logs stay readable. */
  minify?: boolean;
  /** Rebuild the server bundle when a file changes while the dev server runs. Default: `true`. */
  watch?: boolean;
}

/** Content of `<outDir>/.vite/duet-ssr.json`, read by Django to find the server bundle. */
export interface DuetSsrRecord {
  version: 1;
  /** The server bundle, relative to the build directory (`outDir`). */
  file: string;
  /** The server entry, relative to the Vite root. */
  entry: string;
}

const PLUGIN_NAME = "django-duet:ssr";
/** Where the server bundle and its record go, inside the browser build's `outDir`. */
export const SSR_DIR = ".vite/ssr";
/**
 * The Vite environment of the server bundle: its own name, so that a framework's own "ssr"
 * environment (Node SSR) is left alone.
 */
export const SSR_ENVIRONMENT = "duet_ssr";
export const SSR_RECORD = ".vite/duet-ssr.json";

/**
 * Conditions for bundling dependencies into a script for a bare V8: the web builds of packages
 * (React's `react-dom/server` resolves to `server.browser.js`), never their Node builds.
 */
export const SSR_CONDITIONS = ["worker", "browser", "module", "development|production"];

function resolveEntry(root: string, entry: string): string {
  const file = path.resolve(root, entry);
  if (entry.trim() === "" || !existsSync(file) || !statSync(file).isFile()) {
    throw new Error(
      `[${PLUGIN_NAME}] the server entry "${entry}" does not exist: looked for ${file}. ` +
        `Pass a path relative to the Vite root (${root}), e.g. duetSsr({ entry: "src/ssr/server.tsx" }).`,
    );
  }
  return file;
}

/** Rewrites the build options of the server environment in place (they are that environment's own copy). */
export function configureServerBuild(
  config: EnvironmentOptions,
  options: { root: string; entryFile: string; minify: boolean; mode: string },
): void {
  const build = (config.build ??= {});
  const clientOutDir = path.resolve(options.root, build.outDir ?? "dist");
  build.outDir = path.join(clientOutDir, SSR_DIR);
  // Not emptied before the build: Django may be reading the current bundle. writeBundle removes
  // the old ones once the record names the new one.
  build.emptyOutDir = false;
  build.manifest = false;
  build.ssrManifest = false;
  build.copyPublicDir = false;
  build.minify = options.minify;
  build.sourcemap = false;
  build.emitAssets = false;
  build.target = "es2022";
  // A classic script: mini-racer evaluates scripts, not ES modules.
  const output = {
    format: "iife" as const,
    entryFileNames: "server-[hash].js",
    banner: polyfillBanner(),
  };
  // The duet() plugin sets the browser entries on the top-level build, which every environment
  // inherits (arrays merge): replace them with the server entry, not append.
  const rolldown = build.rolldownOptions;
  const rollup = build.rollupOptions;
  if (rollup !== undefined && rolldown === undefined) {
    build.rollupOptions = { ...rollup, input: options.entryFile, output: { ...output, inlineDynamicImports: true } };
  } else {
    build.rolldownOptions = { ...rolldown, input: options.entryFile, output: { ...output, codeSplitting: false } };
    if (rollup !== undefined) build.rollupOptions = { ...rollup, input: options.entryFile };
  }
  config.resolve = { ...config.resolve, noExternal: true, conditions: SSR_CONDITIONS, builtins: [] };
  const nodeEnv = options.mode === "production" ? "production" : "development";
  config.define = { ...config.define, "process.env.NODE_ENV": JSON.stringify(nodeEnv) };
}

/** The file name of the bundle the current record names, if any. */
function previousBundle(record: string): string | undefined {
  try {
    const data = JSON.parse(readFileSync(record, "utf8")) as Partial<DuetSsrRecord>;
    return typeof data.file === "string" ? path.basename(data.file) : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the project's own Vite (the one running), not a copy next to this package. */
async function projectVite(root: string): Promise<typeof import("vite")> {
  try {
    const resolved = createRequire(path.join(root, "package.json")).resolve("vite");
    return (await import(pathToFileURL(resolved).href)) as typeof import("vite");
  } catch {
    return import("vite");
  }
}

function watchAndRebuild(server: ViteDevServer, root: string, outDir: string): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const rebuild = (): void => {
    running = running.then(async () => {
      try {
        const { createBuilder } = await projectVite(root);
        // The dev server's own inline config: the same config file (or inline plugins).
        const builder = await createBuilder({
          ...server.config.inlineConfig,
          root,
          mode: server.config.mode,
          logLevel: "warn",
        });
        const environment = builder.environments[SSR_ENVIRONMENT];
        if (environment !== undefined) await builder.build(environment);
        server.config.logger.info(`[${PLUGIN_NAME}] server bundle rebuilt`, { timestamp: true });
      } catch (error) {
        // The previous bundle stays current; Django keeps rendering with it.
        server.config.logger.error(`[${PLUGIN_NAME}] server bundle rebuild failed: ${String(error)}`);
      }
    });
  };
  const schedule = (file: string): void => {
    const rel = path.relative(root, file);
    if (rel.startsWith("..") || path.isAbsolute(rel) || file.startsWith(outDir)) return;
    if (rel.split(path.sep).includes("node_modules")) return;
    clearTimeout(timer);
    timer = setTimeout(rebuild, 100); // one rebuild for a burst of saves
  };
  server.watcher.on("change", schedule);
  server.watcher.on("add", schedule);
  server.watcher.on("unlink", schedule);
  server.httpServer?.once("close", () => clearTimeout(timer));
  rebuild();
}

/** What `buildApp` uses of Vite's builder (Vite 6+). */
interface AppBuilder {
  environments: Record<string, { isBuilt?: boolean }>;
  build(environment: never): Promise<unknown>;
}

/**
 * The `buildApp` of a config that names none: builds the browser's environment, the server
 * bundle's, and every environment the config (or a plugin) declared, each once. Not the "ssr"
 * environment Vite adds on its own when a plugin sets the `ssr` options (@vitejs/plugin-vue
 * does): Vite's default would build it too, into the browser's outDir, over the browser build.
 * A declared `environments.ssr`, or `vite build --ssr`, is built as the user asked.
 */
export function buildDeclared(config: UserConfig): (builder: AppBuilder) => Promise<void> {
  const wanted = new Set(["client", SSR_ENVIRONMENT, ...Object.keys(config.environments ?? {})]);
  if (config.build?.ssr) wanted.add("ssr");
  return async (builder) => {
    // The browser's first: it empties outDir, where the server bundle then goes.
    const names = Object.keys(builder.environments).sort((a, b) => Number(b === "client") - Number(a === "client"));
    for (const name of names) {
      const environment = builder.environments[name];
      // Built already by a plugin's own buildApp hook (Vite 7+): not twice.
      if (environment === undefined || !wanted.has(name) || environment.isBuilt === true) continue;
      await builder.build(environment as never);
    }
  };
}

/** The plugin: `duetSsr({ entry: "src/ssr/server.tsx" })`, beside `duet({...})`. */
export function duetSsr(options: DuetSsrOptions): Plugin {
  let root = process.cwd();
  let entryFile = "";
  let clientOutDir = "";

  return {
    name: PLUGIN_NAME,

    config: {
      // Last, so that it sees the environments and the builder every other plugin declared.
      order: "post",
      handler(userConfig: UserConfig, env: ConfigEnv): UserConfig | undefined {
        root = path.resolve(userConfig.root ?? process.cwd());
        entryFile = resolveEntry(root, options.entry);
        clientOutDir = path.resolve(root, userConfig.build?.outDir ?? "dist");
        if (env.command !== "build") return undefined; // the dev server rebuilds through a builder
        // `builder` makes `vite build` build the app's environments: the browser's, then the server's.
        const builder = userConfig.builder ?? {};
        return {
          builder: builder.buildApp === undefined ? { ...builder, buildApp: buildDeclared(userConfig) } : builder,
          environments: { [SSR_ENVIRONMENT]: { consumer: "server" } },
        };
      },
    },

    configResolved(config): void {
      // Vite 5 has no environments (only the raw `environments` of `config` above, without the
      // client's): `vite build` would skip the server bundle without a word.
      const environments = (config as { environments?: Record<string, unknown> }).environments;
      if (environments?.["client"] === undefined) {
        throw new Error(
          `[${PLUGIN_NAME}] duetSsr() builds the server bundle as a Vite environment, which needs ` +
            "Vite 6 or newer; this project's Vite has none (Vite 5). Upgrade vite, or remove " +
            "duetSsr() and render on the client (duet() alone supports Vite 5).",
        );
      }
    },

    configEnvironment(name, config, env): void {
      if (name !== SSR_ENVIRONMENT || env.command !== "build") return;
      clientOutDir = path.resolve(root, config.build?.outDir ?? "dist");
      configureServerBuild(config, { root, entryFile, minify: options.minify ?? false, mode: env.mode });
    },

    configureServer(server: ViteDevServer): void {
      if (options.watch === false) return;
      watchAndRebuild(server, root, clientOutDir);
    },

    writeBundle(_outputOptions, bundle): void {
      if (this.environment?.name !== SSR_ENVIRONMENT) return;
      const entry = Object.values(bundle).find((item) => item.type === "chunk" && item.isEntry);
      if (entry === undefined) throw new Error(`[${PLUGIN_NAME}] the server build produced no entry chunk`);
      const record: DuetSsrRecord = {
        version: 1,
        file: `${SSR_DIR}/${entry.fileName}`,
        entry: path.relative(root, entryFile).split(path.sep).join("/"),
      };
      // Written last, and renamed into place: Django switches to the new bundle only once it is
      // complete on disk, and never reads half a record. The previous bundle is kept (a request
      // may be reading it right now); older ones are removed.
      const target = path.join(clientOutDir, SSR_RECORD);
      const previous = previousBundle(target);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(`${target}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
      renameSync(`${target}.tmp`, target);
      const dir = path.join(clientOutDir, SSR_DIR);
      for (const name of readdirSync(dir)) {
        if (/^server-.*\.js$/.test(name) && name !== entry.fileName && name !== previous) {
          rmSync(path.join(dir, name), { force: true });
        }
      }
    },
  };
}
