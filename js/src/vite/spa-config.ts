/**
 * The API's URL of a single page app (`duet({ spa: ... })`, see spa.ts): the options, the checks
 * of the variable, and the deploy-time config file.
 */
import type { Connect, ResolvedConfig } from "vite";

/** Options of the SPA mode, under `duet({ spa: {...} })`; `duet({ spa: true })` takes the defaults. */
export interface DuetSpaOptions {
  /**
   * The variable that holds the API's URL, read by the SPA as `import.meta.env.<name>`. It must
   * start with one of Vite's `envPrefix` (`VITE_`), or Vite would not expose it. Default: `"VITE_API_URL"`.
   */
  apiUrlEnv?: string;
  /**
   * A JSON file next to `index.html`, `{"apiUrl": "..."}`, for an API URL chosen at deploy time
   * (the same build on staging and production). With it, `vite build` no longer requires the
   * variable: it writes the file when the variable is set, and the deploy writes it otherwise.
   * Default: none (the URL is fixed at build time).
   */
  configFile?: string;
}

/** The content of the deploy-time config file. */
export interface DuetSpaConfig {
  apiUrl: string;
}

export const DEFAULT_API_URL_ENV = "VITE_API_URL";

/** The SPA options with their defaults. */
export type SpaSettings = DuetSpaOptions & { apiUrlEnv: string };

/** The SPA options with their defaults; `undefined` when the mode is off. */
export function spaOptions(spa: boolean | DuetSpaOptions | undefined): SpaSettings | undefined {
  if (spa === undefined || spa === false) return undefined;
  const options = spa === true ? {} : spa;
  return { ...options, apiUrlEnv: options.apiUrlEnv ?? DEFAULT_API_URL_ENV };
}

/**
 * Checks the API's URL: an absolute http(s) URL without query or fragment. Returns it with a
 * trailing `/` (what `createClient({ baseUrl })` resolves paths against).
 */
export function checkApiUrl(value: string, name: string, plugin: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new Error(
      `[${plugin}] ${name} is ${JSON.stringify(value)}: write the API's absolute URL, ` +
        `e.g. ${name}=https://api.example.com/ (scheme and host, as in Django's DUET["API_ORIGIN"]).`,
    );
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new Error(
      `[${plugin}] ${name} is ${JSON.stringify(value)}: the API's URL takes no query, fragment or ` +
        `credentials; write e.g. ${url.origin}${url.pathname}.`,
    );
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

/** Normalizes the config file's name: a path under the build's root, never outside it. */
export function configFileName(value: string, plugin: string): string {
  const name = value.trim().replace(/^\/+/, "");
  if (name === "" || name.split("/").some((part) => part === ".." || part === "." || part === "")) {
    throw new Error(
      `[${plugin}] spa.configFile is ${JSON.stringify(value)}: name a file next to index.html, e.g. "config.json".`,
    );
  }
  return name;
}

/**
 * The API's URL from the resolved config (`config.env` holds the `envPrefix` variables of the
 * environment and the `.env` files), checked; `undefined` when unset, where that is allowed.
 */
export function resolveApiUrl(
  config: Pick<ResolvedConfig, "command" | "env" | "envPrefix" | "isProduction">,
  options: SpaSettings,
  plugin: string,
): string | undefined {
  const name = options.apiUrlEnv;
  const prefixes = Array.isArray(config.envPrefix) ? config.envPrefix : [config.envPrefix ?? "VITE_"];
  if (!prefixes.some((prefix) => prefix !== "" && name.startsWith(prefix))) {
    throw new Error(
      `[${plugin}] spa.apiUrlEnv is ${JSON.stringify(name)}, which Vite does not expose to the app ` +
        `(envPrefix: ${JSON.stringify(prefixes)}): name a variable starting with ${JSON.stringify(prefixes[0])}, ` +
        `e.g. "VITE_API_URL".`,
    );
  }
  const raw: unknown = config.env[name];
  if (typeof raw === "string" && raw.trim() !== "") return checkApiUrl(raw, name, plugin);
  if (config.command === "build" && options.configFile === undefined) {
    throw new Error(
      `[${plugin}] ${name} is not set: the SPA would not know where the API is. Build with ` +
        `${name}=https://api.example.com/ npm run build (or put it in .env.production), or pass ` +
        `duet({ spa: { configFile: "config.json" } }) to choose the URL at deploy time.`,
    );
  }
  return undefined;
}

/** The deploy-time config file's text. */
export function configFileText(apiUrl: string): string {
  const config: DuetSpaConfig = { apiUrl };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Dev server middleware that answers `GET /<base><file>` with the config built from the variable
 * (a file of that name in `public/` wins: Vite serves it first).
 */
export function configFileMiddleware(path: string, text: string): Connect.NextHandleFunction {
  return (request, response, next) => {
    const url = (request.url ?? "").split("?")[0];
    if (url !== path || (request.method !== "GET" && request.method !== "HEAD")) {
      next();
      return;
    }
    response.statusCode = 200;
    response.setHeader("Content-Type", "application/json");
    response.setHeader("Cache-Control", "no-store");
    response.end(request.method === "HEAD" ? undefined : text);
  };
}
