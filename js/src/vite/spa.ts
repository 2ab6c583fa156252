/**
 * The single page app mode of `django-duet/vite`: `duet({ spa: true })`.
 *
 * An SPA on its own origin (a static host or CDN) is a plain Vite app: `base` is `/`, the entry
 * is `index.html`, no Django manifest, no hot file, no dev server behind Django. What it needs
 * besides is the API's URL, which this mode checks and delivers (spa-config.ts):
 *
 * - at build time (the default): a variable such as `VITE_API_URL` (the environment or a `.env`
 *   file), which Vite puts in `import.meta.env`; `vite build` fails when it is missing or is not
 *   an absolute http(s) URL, instead of shipping an app that calls nowhere;
 * - at deploy time, with `configFile`: a JSON file next to `index.html`
 *   (`{"apiUrl": "https://api.example.com/"}`) that the SPA fetches when it starts. The build
 *   writes it from the variable when set, the dev server serves it, and a deploy may replace it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Plugin, ResolvedConfig, UserConfig } from "vite";
import { configFileMiddleware, configFileName, configFileText, resolveApiUrl } from "./spa-config.js";
import type { SpaSettings } from "./spa-config.js";

/**
 * Vite's config for an SPA on its own origin: `base` `/` unless the Vite config sets one. Vite's
 * defaults do the rest (`index.html` as the entry, `appType: "spa"`: the dev server answers every
 * unknown path with `index.html`, as the static host's fallback will).
 */
export function spaConfig(user: UserConfig): UserConfig {
  return user.base === undefined ? { base: "/" } : {};
}

/** The plugin of `duet({ spa })`. */
export function spaPlugin(spa: SpaSettings, name: string): Plugin {
  const configFile = spa.configFile !== undefined ? configFileName(spa.configFile, name) : undefined;
  let apiUrl: string | undefined;
  let resolved: ResolvedConfig | undefined;

  return {
    name,

    config(userConfig: UserConfig): UserConfig {
      return spaConfig(userConfig);
    },

    configResolved(config: ResolvedConfig): void {
      resolved = config;
      apiUrl = resolveApiUrl(config, spa, name);
      if (apiUrl === undefined && config.command === "serve") {
        const where = configFile !== undefined ? ` (or public/${configFile})` : "";
        config.logger.warn(
          `[${name}] ${spa.apiUrlEnv} is not set${where}: the SPA does not know where the API is. ` +
            `Put ${spa.apiUrlEnv}=http://localhost:8000/ in .env.development.local.`,
        );
      }
    },

    configureServer(server): void {
      if (configFile !== undefined && apiUrl !== undefined) {
        server.middlewares.use(configFileMiddleware(`${server.config.base}${configFile}`, configFileText(apiUrl)));
      }
    },

    generateBundle(): void {
      if (configFile === undefined || apiUrl === undefined || resolved === undefined) return;
      // Only the browser build: an SSR bundle built from the same config needs no config file.
      const consumer = this.environment?.config.consumer;
      if (consumer !== undefined ? consumer !== "client" : Boolean(resolved.build.ssr)) return;
      // A file of that name in public/ is copied as is, and wins (as in development).
      if (resolved.publicDir !== "" && existsSync(path.join(resolved.publicDir, configFile))) return;
      this.emitFile({ type: "asset", fileName: configFile, source: configFileText(apiUrl) });
    },
  };
}
