/**
 * Django's CSRF header and cookie names, and where the client learns them.
 *
 * Django lets a project rename both (`CSRF_HEADER_NAME`, `CSRF_COOKIE_NAME`), so the client never
 * hard-codes them: it takes them from its options, from the CSRF endpoint's answer, or from a
 * `<meta name="duet-csrf">` element the page renders, and falls back to Django's defaults only
 * when none of those is there.
 */
import { DuetError } from "./errors.js";
import type { DocumentLike } from "./env.js";

/** The names under which Django expects the CSRF token. */
export interface CsrfNames {
  /** The HTTP header that carries the token, e.g. `"X-CSRFToken"`. */
  headerName: string;
  /** The cookie that holds the token on the API's origin, e.g. `"csrftoken"`. */
  cookieName: string;
}

/** What the page may declare in `<meta name="duet-csrf" content='{...}'>`. */
export interface PageCsrfConfig extends Partial<CsrfNames> {
  /** URL of the CSRF endpoint, when `django_duet.urls` is not mounted at `/api/auth/`. */
  csrfEndpoint?: string;
}

/** Django's defaults: `CSRF_HEADER_NAME = "HTTP_X_CSRFTOKEN"`, `CSRF_COOKIE_NAME = "csrftoken"`. */
export const DJANGO_CSRF_DEFAULTS: Readonly<CsrfNames> = Object.freeze({
  headerName: "X-CSRFToken",
  cookieName: "csrftoken",
});

export const META_NAME = "duet-csrf";

/**
 * Accepts the header name as HTTP spells it (`X-CSRFToken`) or as Django's setting does
 * (`HTTP_X_CSRFTOKEN`), since pages may render the setting's raw value.
 */
export function normalizeHeaderName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed.startsWith("HTTP_")) return trimmed;
  return trimmed.slice("HTTP_".length).replace(/_/g, "-");
}

/** The value of one cookie in a `document.cookie` string, URI-decoded as Django's docs do it. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(";")) {
    const item = part.trim();
    if (!item.startsWith(`${name}=`)) continue;
    const raw = item.slice(name.length + 1);
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

function optionalString(config: Record<string, unknown>, key: keyof PageCsrfConfig): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new DuetError(
      `django-duet: "${key}" in <meta name="${META_NAME}"> must be a non-empty string, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/**
 * The page's CSRF config from `<meta name="duet-csrf" content='{"headerName": ..., "cookieName": ...}'>`,
 * or an empty object when the page has none. A malformed element is an error, not ignored: it
 * would otherwise send the token under the wrong name and fail far from the cause.
 */
export function readPageConfig(doc: DocumentLike): PageCsrfConfig {
  const content = doc.querySelector(`meta[name="${META_NAME}"]`)?.getAttribute("content");
  if (content === null || content === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DuetError(
      `django-duet: the content of <meta name="${META_NAME}"> is not a JSON object: ${JSON.stringify(content)}. ` +
        `Write it as content='{"headerName": "X-CSRFToken", "cookieName": "csrftoken"}'.`,
    );
  }
  const config = parsed as Record<string, unknown>;
  const result: PageCsrfConfig = {};
  const headerName = optionalString(config, "headerName");
  const cookieName = optionalString(config, "cookieName");
  const csrfEndpoint = optionalString(config, "csrfEndpoint");
  if (headerName !== undefined) result.headerName = normalizeHeaderName(headerName);
  if (cookieName !== undefined) result.cookieName = cookieName;
  if (csrfEndpoint !== undefined) result.csrfEndpoint = csrfEndpoint;
  return result;
}
