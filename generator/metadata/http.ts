/**
 * The small HTTP surface the live source needs. The CLI adapts the runtime client to it; tests can
 * hand in anything that speaks it. Implementations resolve with any HTTP status (the live source
 * maps statuses to errors) and reject only when the server cannot be reached.
 */

/** A response: status, lower-cased header names, parsed JSON body (null when empty). */
export interface MetadataHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * JSON over HTTP against one org. Paths are absolute on the instance (`/services/data/v60.0/sobjects`).
 *
 * @example
 * ```ts
 * const res = await http.get('/services/data/v60.0/sobjects');
 * if (res.status === 200) console.log(res.body);
 * ```
 */
export interface MetadataHttp {
  /** The instance URL, for messages (never a token). */
  readonly instanceUrl: string;
  get(path: string, headers?: Readonly<Record<string, string>>): Promise<MetadataHttpResponse>;
  post(path: string, body: unknown, headers?: Readonly<Record<string, string>>): Promise<MetadataHttpResponse>;
}

/** A static instance URL + access token, as `sf org display` or the environment give them. */
export interface OrgCredentials {
  readonly instanceUrl: string;
  readonly accessToken: string;
}
