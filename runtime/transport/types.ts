/**
 * The runtime's dispatcher contract. The undici transport is one `Dispatch`; auth, retry, circuit
 * breaking, limit tracking, error mapping and record/replay are `Interceptor`s wrapped around it in
 * one place (`runtime/client.ts`). Nothing here imports undici.
 */
import type { Readable } from 'node:stream';
import type { AttemptInfo } from '../errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request as it travels through the interceptor chain. */
export interface SfRequest {
  readonly method: HttpMethod;
  /**
   * An absolute URL, or a path (`/services/data/v60.0/...`) that the auth layer resolves against
   * the instance URL of the current token.
   */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A string or bytes can be sent again (replay on 401, retry); a stream cannot. */
  readonly body?: string | Uint8Array | Readable | null | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Whether sending this request twice is harmless: reads, PATCH/DELETE by id, upsert by external
   * id. Set by the service that builds the request; unknown requests are treated as unsafe.
   */
  readonly idempotent: boolean;
  /** `'stream'` hands the body over unread (decompressed) in {@link SfResponse.stream}. */
  readonly responseType?: 'buffer' | 'stream' | undefined;
  /**
   * The `Authorization` header value, set by the auth layer; the transport adds it to the headers
   * it sends (kept apart so that no layer copies a token into header maps it records or logs).
   */
  readonly authorization?: string | undefined;
  /** No token is attached (the OAuth token endpoint). */
  readonly anonymous?: boolean | undefined;
  /** Non-2xx answers are returned instead of thrown (the raw `client.request()`). */
  readonly allowErrorStatus?: boolean | undefined;
  /** What the call is, for spans and events: `'query'`, `'sobject.create'`, ... */
  readonly operation?: string | undefined;
  /** The sObject the call is about, when there is one. */
  readonly sobject?: string | undefined;
  /**
   * The call's deadline (ms from when the retry layer first sees it): every attempt, backoff wait
   * and timeout of this request together. Unset: the client's `deadlineMs` (default 60 s).
   */
  readonly deadlineMs?: number | undefined;
}

/** A response. Header names are lower case. */
export interface SfResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole (decompressed) body; empty when `responseType` was `'stream'`. */
  readonly body: Buffer;
  /** The (decompressed) body stream, only for `responseType: 'stream'`. */
  readonly stream?: Readable | undefined;
  /** The absolute URL that was requested. */
  readonly url: string;
  /**
   * Set by the retry layer when the call took more than one attempt: how many, and whether an
   * earlier one may have been applied although this answer is the last attempt's.
   */
  readonly attempts?: AttemptInfo | undefined;
}

/** Sends a request and resolves with its response; network failures reject with `NetworkError`. */
export type Dispatch = (request: SfRequest) => Promise<SfResponse>;

/** Wraps a dispatch with behaviour (auth, retry, ...). */
export type Interceptor = (next: Dispatch) => Dispatch;

/**
 * Composes interceptors around a dispatch. The first interceptor is the outermost: it sees the
 * request first and the response last.
 */
export function compose(base: Dispatch, interceptors: readonly Interceptor[]): Dispatch {
  let dispatch = base;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i];
    if (interceptor) dispatch = interceptor(dispatch);
  }
  return dispatch;
}

/** True when a body can be sent more than once. */
export function isReplayableBody(body: SfRequest['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}
