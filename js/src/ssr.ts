/**
 * `django-duet/ssr`: the Vite plugin that builds the server bundle Django renders with (see
 * vite/ssr-build.ts). What runs inside that bundle and in the browser is under ssr/:
 * `django-duet/ssr/server`, `django-duet/ssr/client`, `django-duet/ssr/head`.
 */
export {
  duetSsr,
  duetSsr as default,
  configureServerBuild,
  SSR_CONDITIONS,
  SSR_DIR,
  SSR_ENVIRONMENT,
  SSR_RECORD,
} from "./vite/ssr-build.js";
export type { DuetSsrOptions, DuetSsrRecord } from "./vite/ssr-build.js";
