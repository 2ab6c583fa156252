/**
 * Errors of `django-duet/client`: one base class, and {@link DuetApiError} for answers of the
 * django-duet endpoints that are not a success.
 */

/** Base class of every error this package throws. */
export class DuetError extends Error {
  override name = "DuetError";
}

/**
 * A django-duet endpoint answered with an error: `code` is the server's stable code
 * (`invalid_credentials`, `throttled`, `csrf_failed`, ...) to branch on, `message` the server's
 * text, fit to show a user. Answers that carry no JSON error get the code `unexpected_response`.
 */
export class DuetApiError extends DuetError {
  override name = "DuetApiError";
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const UNEXPECTED_RESPONSE = "unexpected_response";

/** `{"error": {"code", "message"}}`, the error body of every django-duet endpoint. */
export interface ErrorBody {
  code: string;
  message: string;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `error` member of a parsed body, when it has the documented shape. */
export function errorOf(body: unknown): ErrorBody | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { code, message } = body.error;
  if (typeof code !== "string") return undefined;
  return { code, message: typeof message === "string" ? message : code };
}

/**
 * The error for a failed endpoint call: the server's code and message when the body has them,
 * otherwise a message that says what was called and what to check.
 */
export function apiError(response: Response, body: unknown, what: string): DuetApiError {
  const error = errorOf(body);
  if (error !== undefined) return new DuetApiError(response.status, error.code, error.message);
  return new DuetApiError(
    response.status,
    UNEXPECTED_RESPONSE,
    `django-duet: ${what} answered HTTP ${response.status} without a JSON error body: check that the URL is right ` +
      `(django_duet.urls mounted there, e.g. path("api/auth/", include("django_duet.urls"))) and that the API is up`,
  );
}
