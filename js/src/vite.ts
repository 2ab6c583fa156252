/**
 * `django-duet/vite`: the Vite plugin that builds a frontend for Django (see vite/plugin.ts),
 * the options of its dev server (vite/dev.ts) and of its single page app mode (vite/spa.ts).
 */
export { duet, duet as default, normalizeStaticPrefix, normalizeStaticUrl } from "./vite/plugin.js";
export type { DuetBuildInfo, DuetOptions } from "./vite/plugin.js";
export type { DuetSpaConfig, DuetSpaOptions } from "./vite/spa-config.js";
export type { DuetDevOptions, DuetHotFile } from "./vite/dev.js";
