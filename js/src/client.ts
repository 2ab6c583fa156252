/**
 * `django-duet/client`: `fetch` with Django's CSRF token, for both ways of running a frontend
 * with Django (see docs/client.md).
 *
 * - Hybrid pages (Django serves the page): {@link csrfFetch}, a drop-in `fetch`.
 * - A single page app with the API on another origin: {@link createClient}.
 *
 * No runtime dependencies; works in any browser with `fetch`.
 */
export { csrfFetch, createCsrfFetch, DEFAULT_CSRF_ENDPOINT } from "./client/same-origin.js";
export type { CsrfFetch, CsrfFetchOptions } from "./client/same-origin.js";
export { createClient } from "./client/cross-origin.js";
export type { ClientOptions, DuetClient, DuetUser } from "./client/cross-origin.js";
export { DuetApiError, DuetError } from "./client/errors.js";
export { DJANGO_CSRF_DEFAULTS } from "./client/csrf-names.js";
export type { CsrfNames, PageCsrfConfig } from "./client/csrf-names.js";
export { CSRF_FAILED } from "./client/csrf-send.js";
export type { FetchInput } from "./client/csrf-send.js";
export type { Credentials, DocumentLike, FetchLike } from "./client/env.js";
export {
  BUILD_HEADER,
  STALE_FRONTEND_EVENT,
  onStaleFrontend,
  pageBuildId,
  reloadOnChunkError,
  resetStaleFrontend,
  serverBuildIds,
} from "./client/version.js";
export type { ChunkReloadOptions, StaleFrontend } from "./client/version.js";
export { createTokenClient } from "./client/bearer.js";
export { requestFetch } from "./client/request-fetch.js";
export type { UrlFetch } from "./client/request-fetch.js";
export type { Tokens, TokenStorage, TokenClient, TokenClientOptions } from "./client/bearer.js";
