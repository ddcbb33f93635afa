/**
 * Record/replay at the dispatcher level. A cassette is a readable JSON file of interactions
 * (request -> response). Modes:
 * - `record`: every request goes to the network; interactions are written on `save()`;
 * - `playback`: nothing goes to the network; a request with no recording is a loud
 *   `ReplayMissingError` naming it;
 * - `update`: recorded requests play back, new ones go to the network and are added (OAuth token
 *   requests always go to the network: a recorded token is redacted).
 *
 * Before anything is written: the instance URL becomes `{{instanceUrl}}`, query cursors in
 * `nextRecordsUrl` become stable `cursorN` names, `Date`/request-id headers are dropped,
 * `issued_at` is zeroed, tokens and secrets become `[REDACTED]` (known secrets anywhere, OAuth
 * fields by name, `Authorization` headers are never recorded). Matching uses method, normalized
 * path, selected headers and the normalized body; identical requests play back in recorded order.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { REDACTED, type SecretRegistry } from '../auth/secrets.js';
import { ConfigError, ReplayMissingError, safePath } from '../errors.js';
import type { Interceptor, SfRequest, SfResponse } from '../transport/types.js';

export type ReplayMode = 'record' | 'playback' | 'update';

export interface RecordedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON bodies are stored parsed; other text as a string; binary as base64 with `bodyEncoding`. */
  body?: unknown;
  bodyEncoding?: 'json' | 'text' | 'base64';
}

export interface Interaction {
  request: RecordedRequest;
  response: RecordedResponse;
}

export interface CassetteFile {
  sfgen: 'cassette';
  version: 1;
  interactions: Interaction[];
}

export interface ReplayOptions {
  mode: ReplayMode;
  /** Path of the cassette JSON file. */
  cassette: string;
  /** Request headers that are recorded and must match. */
  matchHeaders?: readonly string[];
  /** Extra normalization of each interaction before it is written (and of live requests before matching). */
  normalize?: (interaction: Interaction) => Interaction;
  /**
   * Replace every datetime in recorded response bodies (`CreatedDate`, `SystemModstamp`, ...) with
   * {@link STABLE_TIMESTAMP}, so re-recording the same scenario yields the same file. Default false
   * (playback returns the recorded values).
   */
  stableTimestamps?: boolean;
}

/** What `stableTimestamps` writes in place of every recorded datetime. */
export const STABLE_TIMESTAMP = '2000-01-01T00:00:00.000+0000';
const DATETIME_IN_JSON = /"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})"/g;

export const DEFAULT_MATCH_HEADERS: readonly string[] = ['if-modified-since', 'sforce-query-options', 'sforce-call-options', 'content-type'];
const KEPT_RESPONSE_HEADERS = new Set(['content-type', 'sforce-limit-info', 'last-modified', 'retry-after', 'location', 'etag']);
const SECRET_FIELDS = new Set(['access_token', 'refresh_token', 'id_token', 'signature', 'client_secret', 'assertion', 'password', 'code', 'client_assertion']);
const INSTANCE = '{{instanceUrl}}';

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}

function redactFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFields);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_FIELDS.has(k) && typeof v === 'string') out[k] = REDACTED;
    else if (k === 'issued_at') out[k] = '0';
    else out[k] = redactFields(v);
  }
  return out;
}

function parseBody(buf: Buffer | string, contentType: string): { body: unknown; encoding: 'json' | 'text' | 'base64' } {
  const text = typeof buf === 'string' ? buf : buf.toString('utf8');
  if (contentType.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return { body: JSON.parse(text), encoding: 'json' };
    } catch {
      /* not JSON after all */
    }
  }
  if (typeof buf !== 'string' && !Buffer.from(text, 'utf8').equals(buf)) return { body: buf.toString('base64'), encoding: 'base64' };
  return { body: text, encoding: 'text' };
}

/** A cassette bound to a client's secret registry. */
export class Cassette {
  readonly mode: ReplayMode;
  readonly file: string;
  readonly #secrets: SecretRegistry;
  readonly #matchHeaders: readonly string[];
  readonly #normalize: (i: Interaction) => Interaction;
  readonly #stableTimestamps: boolean;
  readonly #recorded: Interaction[] = [];
  readonly #used = new Set<number>();
  readonly #cursors = new Map<string, string>();
  #dirty = false;

  constructor(options: ReplayOptions, secrets: SecretRegistry) {
    if (!['record', 'playback', 'update'].includes(options.mode)) throw new ConfigError({ message: `replay.mode must be record, playback or update, got ${String(options.mode)}` });
    this.mode = options.mode;
    this.file = options.cassette;
    this.#secrets = secrets;
    this.#matchHeaders = (options.matchHeaders ?? DEFAULT_MATCH_HEADERS).map((h) => h.toLowerCase());
    this.#normalize = options.normalize ?? ((i) => i);
    this.#stableTimestamps = options.stableTimestamps === true;
    if (this.mode !== 'record') {
      if (!existsSync(this.file)) {
        if (this.mode === 'playback') throw new ConfigError({ message: `replay: cassette ${this.file} does not exist (record it first with mode 'record')` });
      } else {
        let parsed: CassetteFile;
        try {
          parsed = JSON.parse(readFileSync(this.file, 'utf8')) as CassetteFile;
        } catch (err) {
          throw new ConfigError({ message: `replay: cassette ${this.file} is not valid JSON: ${(err as Error).message}` });
        }
        if (parsed?.sfgen !== 'cassette' || parsed.version !== 1 || !Array.isArray(parsed.interactions)) {
          throw new ConfigError({ message: `replay: ${this.file} is not an sfgen cassette (version 1)` });
        }
        this.#recorded.push(...parsed.interactions);
      }
    }
  }

  /** Interactions held (recorded or loaded). */
  get interactions(): readonly Interaction[] {
    return this.#recorded;
  }

  #cursor(text: string): string {
    return text.replace(/(\/query(?:All)?\/)([0-9A-Za-z]{6,})(-\d+)/g, (_m, pre: string, locator: string, offset: string) => {
      if (/^cursor\d+$/.test(locator)) return pre + locator + offset;
      let name = this.#cursors.get(locator);
      if (name === undefined) {
        name = `cursor${this.#cursors.size + 1}`;
        this.#cursors.set(locator, name);
      }
      return pre + name + offset;
    });
  }

  /** The normalized, secret-free form of a request. */
  #requestOf(request: SfRequest, origin: string): RecordedRequest {
    const url = new URL(request.url, origin);
    const path = this.#cursor(safePath(url.pathname + url.search));
    const headers: Record<string, string> = {};
    for (const h of this.#matchHeaders) {
      const v = request.headers[h];
      if (v !== undefined) headers[h] = v;
    }
    const out: RecordedRequest = { method: request.method, path: this.#secrets.redact(path) };
    if (Object.keys(headers).length > 0) out.headers = headers;
    if (typeof request.body === 'string' || request.body instanceof Uint8Array) {
      const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
      const type = request.headers['content-type'] ?? '';
      if (type.includes('x-www-form-urlencoded')) {
        const form: Record<string, string> = {};
        for (const [k, v] of new URLSearchParams(text)) form[k] = SECRET_FIELDS.has(k) ? REDACTED : v;
        out.body = form;
      } else {
        out.body = redactFields(parseBody(this.#secrets.redact(text), type).body);
      }
    }
    return out;
  }

  #key(r: RecordedRequest): string {
    return `${r.method} ${r.path} ${canonical(r.headers ?? {})} ${canonical(r.body ?? null)}`;
  }

  /** Produces the normalized recording of one exchange. */
  #record(request: SfRequest, response: SfResponse): Interaction {
    const origin = new URL(response.url).origin;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) if (KEPT_RESPONSE_HEADERS.has(k)) headers[k] = v.split(origin).join(INSTANCE);
    const { body, encoding } = response.body.length === 0 ? { body: undefined, encoding: 'text' as const } : parseBody(response.body, response.headers['content-type'] ?? '');
    let recordedBody: unknown = body;
    if (encoding !== 'base64' && body !== undefined) {
      let text = this.#cursor(this.#secrets.redact(JSON.stringify(redactFields(body))).split(origin).join(INSTANCE));
      if (this.#stableTimestamps) text = text.replace(DATETIME_IN_JSON, `"${STABLE_TIMESTAMP}"`);
      recordedBody = JSON.parse(text);
    }
    const interaction: Interaction = {
      request: this.#requestOf(request, origin),
      response: { status: response.status, headers, ...(recordedBody !== undefined ? { body: recordedBody, bodyEncoding: encoding } : {}) },
    };
    return this.#normalize(interaction);
  }

  #find(request: SfRequest): Interaction | undefined {
    const origin = request.url.startsWith('/') ? 'http://replay.invalid' : new URL(request.url).origin;
    const wanted = this.#key(this.#normalize({ request: this.#requestOf(request, origin), response: { status: 0, headers: {} } }).request);
    for (let i = 0; i < this.#recorded.length; i++) {
      if (this.#used.has(i)) continue;
      const candidate = this.#recorded[i] as Interaction;
      if (this.#key(candidate.request) === wanted) {
        this.#used.add(i);
        return candidate;
      }
    }
    return undefined;
  }

  #play(interaction: Interaction, request: SfRequest): SfResponse {
    const url = new URL(request.url);
    const origin = url.origin;
    const { response } = interaction;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) headers[k] = v.split(INSTANCE).join(origin);
    let body: Buffer;
    if (response.body === undefined) body = Buffer.alloc(0);
    else if (response.bodyEncoding === 'base64') body = Buffer.from(String(response.body), 'base64');
    else if (response.bodyEncoding === 'text') body = Buffer.from(String(response.body).split(INSTANCE).join(origin), 'utf8');
    else body = Buffer.from(JSON.stringify(response.body).split(INSTANCE).join(origin), 'utf8');
    return { status: response.status, headers, body, url: url.href };
  }

  #missing(request: SfRequest): ReplayMissingError {
    const origin = request.url.startsWith('/') ? 'http://replay.invalid' : new URL(request.url).origin;
    const r = this.#requestOf(request, origin);
    const samePath = this.#recorded.filter((i) => i.request.method === r.method && i.request.path === r.path).length;
    return new ReplayMissingError({
      message: `replay: no recording for ${r.method} ${r.path}${r.body !== undefined ? ` with body ${canonical(r.body).slice(0, 200)}` : ''} in ${this.file}` +
        (samePath > 0 ? ` (${samePath} recording(s) of that path exist but differ in body/headers or were already played)` : '') +
        `; record it with replay mode 'record' or 'update'`,
      request: { method: r.method, path: r.path },
    });
  }

  /** The interceptor that sits directly on the transport. */
  interceptor(): Interceptor {
    return (next) => async (request) => {
      if (this.mode === 'record') {
        const response = await next(request);
        this.#keep(request, response);
        return response;
      }
      // In update mode a played-back token would be a redacted one, useless against the live org:
      // token requests go to the network, and are added only when the cassette has none.
      const liveToken = this.mode === 'update' && request.anonymous === true;
      const found = liveToken ? undefined : this.#find(request);
      if (found) return this.#play(found, request);
      if (liveToken) {
        const response = await next(request);
        const path = this.#requestOf(request, new URL(request.url).origin).path;
        if (!this.#recorded.some((i) => i.request.path === path)) this.#keep(request, response);
        return response;
      }
      if (this.mode === 'playback') throw this.#missing(request);
      const response = await next(request);
      this.#keep(request, response);
      return response;
    };
  }

  #keep(request: SfRequest, response: SfResponse): void {
    if (response.stream) return; // streamed bodies are not recorded
    this.#recorded.push(this.#record(request, response));
    this.#used.add(this.#recorded.length - 1);
    this.#dirty = true;
  }

  /** The cassette JSON as it would be written (secrets removed). */
  serialize(): string {
    const file: CassetteFile = { sfgen: 'cassette', version: 1, interactions: this.#recorded };
    const text = this.#secrets.redact(JSON.stringify(file, null, 2)).replace(/(Bearer )[A-Za-z0-9!._~+/=-]{8,}/g, `$1${REDACTED}`);
    return `${text}\n`;
  }

  /** Writes the cassette (record and update modes) atomically. Playback never writes. */
  save(): void {
    if (this.mode === 'playback' || !this.#dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, this.serialize());
    renameSync(tmp, this.file);
    this.#dirty = false;
  }
}
