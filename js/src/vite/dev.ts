/**
 * The dev server side of `django-duet/vite`: Vite's config for running behind Django's origin,
 * and the "hot" file that tells Django where the dev server listens.
 *
 * The browser only ever talks to Django; Django proxies the dev server's paths (all under `base`,
 * which is Django's `STATIC_URL` in development too, so they cannot collide with Django's URLs).
 */
import { readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { UserConfig, ViteDevServer } from "vite";

/** Options of the dev server, under `duet({ dev: {...} })`. Environment variables win. */
export interface DuetDevOptions {
  /**
   * Where the hot file is written, relative to the Vite root. Django reads it
   * (`DUET["HOT_FILE"]`, default `<FRONTEND_DIR>/.duet-hot`). Env: `DUET_HOT_FILE`.
   * Default: `".duet-hot"`.
   */
  hotFile?: string;
  /**
   * Django's origins (`"http://127.0.0.1:8000"`): the only origins Vite's CORS accepts.
   * Env: `DUET_DEV_ORIGINS` (comma-separated). Default: 127.0.0.1 and localhost on port 8000.
   */
  djangoOrigins?: string[];
  /**
   * Host names the browser uses for Django (Django's `ALLOWED_HOSTS`), added to Vite's
   * `server.allowedHosts` so that its HMR WebSocket accepts the browser's host.
   * Env: `DUET_DEV_HOSTS` (comma-separated). Default: none (Vite accepts IPs and localhost).
   */
  allowedHosts?: string[];
  /**
   * Where the browser opens the HMR WebSocket: `"vite"` straight on Vite's port (works behind any
   * Django server, e.g. runserver), `"django"` on Django's origin (needs the ASGI wrapper
   * `django_duet.asgi.duet_asgi`). Env: `DUET_DEV_HMR`. Default: `"vite"`.
   */
  hmr?: "vite" | "django";
  /**
   * Django's URL, which `server.open` opens (never Vite's own URL: the pages are Django's).
   * Env: `DUET_DEV_URL` (set by `manage.py duet dev`). Default: the first of `djangoOrigins`.
   */
  djangoUrl?: string;
}

/** Content of the hot file: read by Django (`django_duet.devserver`). */
export interface DuetHotFile {
  version: 1;
  /** The dev server as reached from this machine: `http://127.0.0.1:5173`. */
  url: string;
  /** Vite's `base`: every dev server path starts with it. */
  base: string;
  /** Whether @vitejs/plugin-react's Fast Refresh runs (Django then emits its preamble). */
  reactRefresh: boolean;
}

/** Placeholder that Django replaces with the request's CSP nonce in the dev server's HTML. */
export const CSP_NONCE_PLACEHOLDER = "DUET_CSP_NONCE";
const DEFAULT_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"];
const DEFAULT_PORT = 5173;

function listFromEnv(name: string): string[] | undefined {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") return undefined;
  return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function hmrMode(options: DuetDevOptions, plugin: string): "vite" | "django" {
  const mode = process.env.DUET_DEV_HMR || options.hmr || "vite";
  if (mode !== "vite" && mode !== "django") {
    throw new Error(
      `[${plugin}] DUET_DEV_HMR (or dev.hmr) is ${JSON.stringify(mode)}: write "vite" (HMR socket on ` +
        `Vite's port) or "django" (through Django's origin, with django_duet.asgi.duet_asgi).`,
    );
  }
  return mode;
}

/** The path part of Django's STATIC_URL: the dev server's `base` (a CDN only serves builds). */
export function devBase(staticUrl: string, staticPrefix: string): string {
  const pathname = /^([a-z][a-z0-9+.-]*:)?\/\//i.test(staticUrl)
    ? new URL(staticUrl, "http://placeholder").pathname
    : staticUrl;
  const base = pathname.endsWith("/") ? pathname : `${pathname}/`;
  return `${base}${staticPrefix}`;
}

/**
 * Config for `vite` (serve) behind Django. Only what the user left unset is filled in: a
 * value in the Vite config always wins.
 */
export function devServerConfig(
  user: UserConfig,
  options: DuetDevOptions,
  base: string,
  viteMajor: number,
  plugin: string,
): UserConfig {
  const server = user.server ?? {};
  const origins = listFromEnv("DUET_DEV_ORIGINS") ?? options.djangoOrigins ?? DEFAULT_ORIGINS;
  const hosts = listFromEnv("DUET_DEV_HOSTS") ?? options.allowedHosts ?? [];
  const config: UserConfig = {
    // "mpa": Vite answers 404 for what it does not have (no index.html for every unknown
    // path), so Django's proxy can hand those paths back to Django (e.g. the admin's CSS).
    ...(user.appType === undefined && { appType: "mpa" }),
    ...(user.base === undefined && { base }),
    ...(user.html?.cspNonce === undefined && { html: { cspNonce: CSP_NONCE_PLACEHOLDER } }),
    server: {
      // The port is part of the HMR client's config: never drift to another one.
      ...(server.strictPort === undefined && { strictPort: true }),
      // Django's origin and nothing wider (Vite 6+ defaults to any localhost origin).
      ...(server.cors === undefined && { cors: { origin: origins } }),
      ...(server.allowedHosts === undefined && hosts.length > 0 && { allowedHosts: hosts }),
    },
  };
  if (server.open) {
    // Vite opens its own URL (or `open` as a path on it): the browser belongs on Django's.
    const django = process.env.DUET_DEV_URL || options.djangoUrl || `${origins[0] ?? DEFAULT_ORIGINS[0]}/`;
    const where = typeof server.open === "string" ? server.open : "/";
    config.server = { ...config.server, open: new URL(where, django).href };
  }
  const userWs = viteMajor >= 8 ? server.ws : server.hmr;
  const userSetsClientPort =
    userWs === false || (typeof userWs === "object" && (userWs.clientPort ?? userWs.port) !== undefined);
  if (hmrMode(options, plugin) === "vite" && server.hmr !== false && !userSetsClientPort) {
    // The page comes from Django's port; its HMR socket goes to Vite's, on the page's own host.
    const ws = { clientPort: server.port ?? DEFAULT_PORT };
    config.server = viteMajor >= 8 ? { ...config.server, ws } : { ...config.server, hmr: ws };
  }
  return config;
}

/** The dev server's URL as seen from this machine (what Django's proxy connects to). */
export function hotUrl(address: AddressInfo, https: boolean): string {
  let host = address.address;
  if (host === "0.0.0.0") host = "127.0.0.1"; // listening everywhere includes loopback
  if (host === "::" || host === "::0") host = "::1";
  if (host.includes(":")) host = `[${host}]`;
  return `${https ? "https" : "http"}://${host}:${address.port}`;
}

/** Writes the hot file once the server listens, and removes it (if still ours) when it stops. */
export function manageHotFile(server: ViteDevServer, file: string, reactRefresh: boolean): void {
  const httpServer = server.httpServer;
  if (httpServer === null) return; // middleware mode: the host application serves the pages
  let written: string | undefined;
  const remove = (): void => {
    process.off("exit", remove);
    if (written === undefined) return;
    try {
      // A restarted server may have written its own file meanwhile: leave that one.
      if (readFileSync(file, "utf8") === written) rmSync(file, { force: true });
    } catch {
      // already gone
    }
    written = undefined;
  };
  httpServer.once("listening", () => {
    const address = httpServer.address();
    if (address === null || typeof address === "string") return;
    const info: DuetHotFile = {
      version: 1,
      url: hotUrl(address, Boolean(server.config.server.https)),
      base: server.config.base,
      reactRefresh,
    };
    written = `${JSON.stringify(info)}\n`;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, written);
  });
  httpServer.once("close", remove);
  process.on("exit", remove);
}
