/**
 * `django-duet/vite`: the Vite plugin that builds a frontend for Django.
 *
 * It declares the entries, points `base` at Django's `STATIC_URL`, forces the manifest that
 * `{% duet_entry %}` reads, and writes `.vite/duet.json` next to it so that Django can tell
 * whether the build matches its settings.
 *
 * Only types come from "vite": the compiled plugin has no runtime import of it, so it works with
 * whichever Vite the project installs.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ConfigEnv, Plugin, ResolvedConfig, UserConfig } from "vite";
import { devBase, devServerConfig, manageHotFile } from "./dev.js";
import type { DuetDevOptions } from "./dev.js";
import { spaOptions } from "./spa-config.js";
import type { DuetSpaOptions } from "./spa-config.js";
import { spaPlugin } from "./spa.js";

/** Options of {@link duet}. */
export interface DuetOptions {
  /**
   * Entry modules, as paths relative to the Vite root: scripts for islands on Django pages
   * (`"src/island.tsx"`) and HTML shells for client-routed sections (`"index.html"`).
   * These paths are the manifest keys that templates name in `{% duet_entry %}`.
   * Declare entries here only, not in `build.rolldownOptions.input`.
   * Required, except with `spa` (where Vite's default entry, `index.html`, is the app).
   */
  input?: string | string[];
  /**
   * Build output directory, relative to the Vite root. Django's staticfiles must collect it
   * (add it to `STATICFILES_DIRS`, or to the `DUET` settings). Default: `"dist"`.
   */
  outDir?: string;
  /**
   * Django's `STATIC_URL`: a path (`"/static/"`) or a full URL for a CDN
   * (`"https://cdn.example.com/static/"`). A trailing `/` is added when missing.
   * The `DUET_STATIC_URL` environment variable, when set, wins, so that
   * `manage.py duet build` can pass the value from Django's settings. Default: `"/static/"`.
   */
  staticUrl?: string;
  /**
   * Where the build lives under `STATIC_URL` (e.g. `"frontend/"` when `STATICFILES_DIRS`
   * holds `("frontend", "<outDir>")`). The `DUET_STATIC_PREFIX` environment variable, when
   * set, wins (`manage.py duet build` and `duet dev` pass the frontend's `STATIC_PREFIX`).
   * Default: `""`.
   */
  staticPrefix?: string;
  /** The dev server behind Django (`vite` / `manage.py duet dev`): see {@link DuetDevOptions}. */
  dev?: DuetDevOptions;
  /**
   * A single page app on its own origin (a static host or CDN), calling the Django API on
   * another: `base` is `/`, no Django manifest, no dev server behind Django, and the API's URL
   * is checked at build time (`VITE_API_URL`) or read from a deploy-time file. See
   * {@link DuetSpaOptions} and docs/spa.md. The Django options (`staticUrl`, `staticPrefix`,
   * `dev`) do not apply. Default: off.
   */
  spa?: boolean | DuetSpaOptions;
}

/** Content of `<outDir>/.vite/duet.json`, read by Django to check the build against its settings. */
export interface DuetBuildInfo {
  version: 1;
  /** The `base` the build was made with: every asset URL starts with it. */
  base: string;
  staticPrefix: string;
  /** Entry keys, as they appear in `manifest.json`. */
  entries: string[];
}

const PLUGIN_NAME = "django-duet";
const STATIC_URL_ENV = "DUET_STATIC_URL";
const STATIC_PREFIX_ENV = "DUET_STATIC_PREFIX";

/** Adds the trailing `/`, and a leading one to a relative path, as Django does with `STATIC_URL`. */
export function normalizeStaticUrl(value: string): string {
  let url = value.trim();
  if (url === "") {
    throw new Error(
      `[${PLUGIN_NAME}] staticUrl is empty. Pass Django's STATIC_URL, e.g. duet({ staticUrl: "/static/" }), ` +
        `or unset the ${STATIC_URL_ENV} environment variable.`,
    );
  }
  // Django prefixes a relative STATIC_URL ("static/") with the script prefix, "/" by default.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("/")) url = `/${url}`;
  return url.endsWith("/") ? url : `${url}/`;
}

/** `""` stays `""`; `"/frontend"` and `"frontend/"` become `"frontend/"`. */
export function normalizeStaticPrefix(value: string): string {
  const prefix = value.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  return prefix === "" ? "" : `${prefix}/`;
}

/** Manifest keys are root-relative paths with forward slashes. */
function manifestKey(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

function resolveInputs(input: string | string[] | undefined, root: string): string[] {
  const inputs = (typeof input === "string" ? [input] : (input ?? [])).filter((item) => item.trim() !== "");
  if (inputs.length === 0) {
    throw new Error(
      `[${PLUGIN_NAME}] no entry: pass the entry modules relative to the Vite root, ` +
        `e.g. duet({ input: ["src/main.tsx"] }) or duet({ input: ["index.html"] }).`,
    );
  }
  return inputs.map((item) => {
    const file = path.resolve(root, item);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new Error(
        `[${PLUGIN_NAME}] entry "${item}" does not exist: looked for ${file}. ` +
          `Entries are paths relative to the Vite root (${root}); fix the path in duet({ input }) ` +
          `or set "root" in the Vite config.`,
      );
    }
    return file;
  });
}

/** Vite's major version, or 0 when unknown (`this.meta.viteVersion` exists from Vite 7 on). */
function viteMajor(meta: { viteVersion?: string } | undefined): number {
  const major = Number.parseInt(meta?.viteVersion ?? "", 10);
  return Number.isFinite(major) ? major : 0;
}

/** Whether the running Vite reads `build.rolldownOptions` (Vite 8+) rather than `build.rollupOptions`. */
function readsRolldownOptions(meta: { viteVersion?: string } | undefined): boolean {
  return viteMajor(meta) >= 8;
}

/** Django's STATIC_URL: the `DUET_STATIC_URL` environment variable, else the option. */
function staticUrlSetting(options: DuetOptions): string {
  const envUrl = process.env[STATIC_URL_ENV];
  return normalizeStaticUrl(envUrl !== undefined && envUrl !== "" ? envUrl : (options.staticUrl ?? "/static/"));
}

/** Where the build lives under STATIC_URL: `DUET_STATIC_PREFIX` when set, else the option. */
function staticPrefixSetting(options: DuetOptions): string {
  const envPrefix = process.env[STATIC_PREFIX_ENV];
  return normalizeStaticPrefix(envPrefix !== undefined ? envPrefix : (options.staticPrefix ?? ""));
}

/**
 * The Vite plugin: `plugins: [react(), duet({ input: ["src/main.tsx"] })]`.
 *
 * Settings the user gives explicitly in the Vite config win, except `build.manifest` (Django
 * needs it) and the build input (declared through `input` only).
 */
export function duet(options: DuetOptions): Plugin {
  const spa = spaOptions(options.spa);
  if (spa !== undefined) {
    if (options.input !== undefined) {
      throw new Error(
        `[${PLUGIN_NAME}] duet({ spa }) takes no input: the SPA's entry is Vite's own index.html ` +
          `(for more HTML pages, set build.rolldownOptions.input in the Vite config). Remove input.`,
      );
    }
    return spaPlugin(spa, PLUGIN_NAME);
  }
  const outDir = options.outDir ?? "dist";
  const staticPrefix = staticPrefixSetting(options);
  let resolved: ResolvedConfig | undefined;
  let entries: string[] = [];
  let hotFile = "";
  let reactRefresh = false;

  return {
    name: PLUGIN_NAME,

    config(userConfig: UserConfig, env: ConfigEnv): UserConfig {
      const root = path.resolve(userConfig.root ?? process.cwd());
      const build = userConfig.build ?? {};
      if (build.rollupOptions?.input !== undefined || build.rolldownOptions?.input !== undefined) {
        throw new Error(
          `[${PLUGIN_NAME}] the Vite config sets build.rolldownOptions.input (or rollupOptions.input): ` +
            `declare the entries in duet({ input: [...] }) instead, and remove that setting.`,
        );
      }
      const inputs = resolveInputs(options.input, root);
      entries = inputs.map((file) => manifestKey(root, file));

      const config: UserConfig = {
        build: {
          manifest: true,
          ...(build.outDir === undefined && { outDir }),
          ...(build.emptyOutDir === undefined && { emptyOutDir: true }),
          ...(build.assetsDir === undefined && { assetsDir: "assets" }),
        },
      };
      // Vite 8 deprecates rollupOptions for rolldownOptions; Vite 6 and 7 read only rollupOptions.
      // `this.meta.viteVersion` exists in `config` from Vite 7 on; without it, use rollupOptions.
      const meta = (this as { meta?: { viteVersion?: string } } | undefined)?.meta;
      if (readsRolldownOptions(meta)) {
        config.build = { ...config.build, rolldownOptions: { input: inputs } };
      } else {
        config.build = { ...config.build, rollupOptions: { input: inputs } };
      }
      if (env.command === "build" && userConfig.base === undefined) {
        config.base = `${staticUrlSetting(options)}${staticPrefix}`;
      }
      if (env.command === "serve" && env.isPreview !== true) {
        // Dev paths live under STATIC_URL too, so Django's proxy claims exactly them.
        const base = devBase(staticUrlSetting(options), staticPrefix);
        const dev = devServerConfig(userConfig, options.dev ?? {}, base, viteMajor(meta), PLUGIN_NAME);
        return { ...dev, ...config, server: dev.server ?? {} };
      }
      return config;
    },

    configResolved(config: ResolvedConfig): void {
      resolved = config;
      const envHotFile = process.env.DUET_HOT_FILE;
      hotFile = envHotFile ? path.resolve(envHotFile) : path.resolve(config.root, options.dev?.hotFile ?? ".duet-hot");
      reactRefresh = config.plugins.some((plugin) => plugin.name === "vite:react-refresh");
    },

    configureServer(server): void {
      manageHotFile(server, hotFile, reactRefresh);
    },

    writeBundle(outputOptions): void {
      if (resolved === undefined || resolved.command !== "build") return;
      // Only the browser build: an SSR bundle built from the same config gets no duet.json.
      const consumer = this.environment?.config.consumer;
      if (consumer !== undefined ? consumer !== "client" : Boolean(resolved.build.ssr)) return;
      const dir = outputOptions.dir ?? path.resolve(resolved.root, resolved.build.outDir);
      const info: DuetBuildInfo = { version: 1, base: resolved.base, staticPrefix, entries };
      mkdirSync(path.join(dir, ".vite"), { recursive: true });
      writeFileSync(path.join(dir, ".vite", "duet.json"), `${JSON.stringify(info, null, 2)}\n`);
    },
  };
}
