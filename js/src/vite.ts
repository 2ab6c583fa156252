/**
 * `django-duet/vite`: the Vite plugin that builds a frontend for Django (see vite/plugin.ts),
 * and the options of its dev server (vite/dev.ts).
 */
export { duet, duet as default, normalizeStaticPrefix, normalizeStaticUrl } from "./vite/plugin.js";
export type { DuetBuildInfo, DuetOptions } from "./vite/plugin.js";
export type { DuetDevOptions, DuetHotFile } from "./vite/dev.js";
