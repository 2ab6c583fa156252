/**
 * The CSRF token the client holds in memory, and the calls to the CSRF endpoint that fill it.
 *
 * Two rules live here. Single flight: however many requests need a token at once, the endpoint
 * is called once and they all wait for that answer. Generations: each new token bumps a counter,
 * so a request refused with an old token can tell that a newer one already arrived (from a
 * refresh or a login answer) and retry with it instead of calling the endpoint again.
 */
import { DuetApiError, UNEXPECTED_RESPONSE } from "./errors.js";
import type { Credentials, FetchLike } from "./env.js";
import { normalizeHeaderName } from "./csrf-names.js";
import type { CsrfNames } from "./csrf-names.js";
import { requestJson, singleFlight } from "./request.js";

/** A token, with the generation of the store when the request took it. */
export interface CsrfToken {
  readonly value: string;
  readonly generation: number;
}

export class CsrfTokenStore {
  private value: string | undefined;
  private gen = 0;
  private readonly loading = singleFlight(() => this.loadAndStore());

  constructor(private readonly load: () => Promise<string>) {}

  get generation(): number {
    return this.gen;
  }

  /** Stores a token the server handed out (login and logout answers carry one). */
  set(value: string): void {
    this.value = value;
    this.gen += 1;
  }

  /**
   * The cached token, or the endpoint's answer, fetched once for all concurrent callers. While a
   * refresh is under way, the cached token is known to be stale: wait for the new one.
   */
  get(): Promise<CsrfToken> {
    if (this.loading.pending !== undefined) return this.loading.pending;
    if (this.value !== undefined) return Promise.resolve({ value: this.value, generation: this.gen });
    return this.loading.run();
  }

  /**
   * A token to retry with after the server refused `stale`: the one that arrived since `stale`
   * was taken, if any; otherwise a fresh answer from the endpoint (shared with concurrent callers).
   */
  refresh(stale: CsrfToken): Promise<CsrfToken> {
    if (this.value !== undefined && this.gen > stale.generation) {
      return Promise.resolve({ value: this.value, generation: this.gen });
    }
    return this.loading.run();
  }

  private async loadAndStore(): Promise<CsrfToken> {
    const started = this.gen;
    const value = await this.load();
    // A login answer that arrived while the endpoint was being called is newer: keep it.
    if (this.gen === started || this.value === undefined) this.set(value);
    return { value: this.value ?? value, generation: this.gen };
  }
}

/** What the CSRF endpoint answers: the token, and Django's names for the header and cookie. */
export interface EndpointAnswer extends Partial<CsrfNames> {
  csrfToken: string;
}

/** `GET` the CSRF endpoint. Its answer also sets the CSRF cookie on the API's origin. */
export async function callCsrfEndpoint(
  fetchFn: FetchLike,
  url: string,
  credentials: Credentials,
): Promise<EndpointAnswer> {
  const what = `the CSRF endpoint (GET ${url})`;
  const hint = `is csrfEndpoint the URL of django_duet.urls' "csrf/" view?`;
  const body = await requestJson(fetchFn, url, { method: "GET", credentials, what, hint });
  if (typeof body.csrfToken !== "string" || body.csrfToken === "") {
    throw new DuetApiError(200, UNEXPECTED_RESPONSE, `django-duet: ${what} answered without a "csrfToken": ${hint}`);
  }
  const answer: EndpointAnswer = { csrfToken: body.csrfToken };
  if (typeof body.headerName === "string" && body.headerName !== "") {
    answer.headerName = normalizeHeaderName(body.headerName);
  }
  if (typeof body.cookieName === "string" && body.cookieName !== "") answer.cookieName = body.cookieName;
  return answer;
}
