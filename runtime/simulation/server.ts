/**
 * The simulator's HTTP layer (node:http, or node:https with a certificate): body reading, latency and fault injection, OAuth, bearer
 * auth, API-usage counting (`Sforce-Limit-Info`), request stats, and dispatch to the router.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { invalidSession, sfError, SimHttpError } from './errors.js';
import type { FaultAction, FaultRegistry } from './faults.js';
import { IdMinter } from './ids.js';
import { RawJson } from './json.js';
import type { SessionInfo, TokenService } from './oauth.js';
import { BinaryBody, type QueryCursor, type RouteContext, type Router, type SimRequest, type SimResponse } from './router.js';
import type { SelfSignedCertificate } from './certificate.js';
import type { SimOrg } from './store.js';
import { toSfDateTime } from './time.js';

/** Settings of the HTTP layer (resolved). */
export interface ServerSettings {
  apiVersion: string;
  versions: readonly string[];
  latencyMs: number;
  pageSize: number;
  /** Child subquery rows per parent record before the envelope is paged (`done: false`). */
  childPageSize: number;
  maxQueryCursors: number;
  /** Query locator lifetime (ms), last page included. */
  queryCursorTtlMs: number;
  dailyApiLimit: number;
  gzip: boolean;
  maxBodyBytes: number;
  limits: Record<string, unknown>;
  now: () => number;
  /** Serve HTTPS with this certificate and key; plain HTTP without. */
  tls?: SelfSignedCertificate;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const DATA_PATH = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/;

/**
 * A data-API area served straight on the socket instead of through the JSON router: Bulk API 2.0
 * streams CSV request and response bodies. The server has done latency, faults, auth and API-usage
 * counting when it calls {@link RawApi.handle}; the request body has not been read.
 */
export interface RawApi {
  /** The stats key of a request this API serves, or `undefined` when it is not one of its own. */
  routeKey(method: string, subPath: string): string | undefined;
  handle(call: RawCall): Promise<void>;
}

/** One request handed to a {@link RawApi}. */
export interface RawCall {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly method: string;
  /** Path below `/services/data/vXX.X`. */
  readonly path: string;
  readonly version: string;
  readonly query: URLSearchParams;
  readonly session: SessionInfo;
  /** The fault that fired for this request, if any (cuts, upload resets, failed jobs). */
  readonly fault: FaultAction | undefined;
  /** `Sforce-Limit-Info` value to send. */
  readonly limitInfo: string;
  /** The simulator gzips responses (`gzip` option) and the client accepts gzip. */
  readonly gzip: boolean;
}

/** Request counts, total and per route (`GET /sobjects/{name}/describe`). */
export interface SimStats {
  readonly requests: number;
  readonly byRoute: Record<string, number>;
}

export class SimServer {
  readonly server: http.Server | https.Server;
  private url = '';
  private requests = 0;
  private byRoute = new Map<string, number>();
  private apiUsed = 0;
  private readonly cursors = new Map<string, QueryCursor>();
  private readonly locators = new IdMinter('Qy');
  private readonly ctx: RouteContext;

  constructor(
    private readonly org: SimOrg,
    private readonly router: Router,
    private readonly tokens: TokenService,
    readonly faults: FaultRegistry,
    readonly settings: ServerSettings,
    private readonly raw?: RawApi,
  ) {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in a handler: answer 500 with Salesforce's shape; never leak request contents.
        if (!res.headersSent) {
          const message = error instanceof Error ? error.message : String(error);
          this.send(res, { status: 500, body: [sfError('UNKNOWN_EXCEPTION', `simulator error: ${message}`)] }, false, undefined);
        } else res.destroy();
      });
    };
    this.server = settings.tls === undefined ? http.createServer(onRequest) : https.createServer({ cert: settings.tls.certPem, key: settings.tls.keyPem }, onRequest);
    this.server.keepAliveTimeout = 5000;
    const self = this;
    this.ctx = {
      org,
      base: (v) => `/services/data/v${v}`,
      identityUrl: (userId) => `${this.url}/id/${tokens.orgId}/${userId}`,
      latestVersion: settings.apiVersion,
      pageSize: settings.pageSize,
      childPageSize: settings.childPageSize,
      maxQueryCursors: settings.maxQueryCursors,
      queryCursorTtlMs: settings.queryCursorTtlMs,
      dispatch: (r) => router.dispatch(r, self.ctx),
      cursors: this.cursors,
      nextLocator: () => this.locators.next('01g', (id) => this.cursors.has(id)),
      apiUsage: () => ({ used: this.apiUsed, max: settings.dailyApiLimit }),
      limits: settings.limits,
      now: settings.now,
    };
  }

  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.url = `${this.settings.tls === undefined ? 'http' : 'https'}://127.0.0.1:${addr.port}`;
    return this.url;
  }

  get baseUrl(): string {
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  stats(): SimStats {
    return { requests: this.requests, byRoute: Object.fromEntries(this.byRoute) };
  }

  resetStats(): void {
    this.requests = 0;
    this.byRoute = new Map();
  }

  /** Daily API requests counted so far (what `Sforce-Limit-Info` reports). */
  apiUsage(): { used: number; max: number } {
    return { used: this.apiUsed, max: this.settings.dailyApiLimit };
  }

  /** Set the daily API usage counter (tests of limit tracking and throttling). */
  setApiUsage(used: number): void {
    if (!Number.isInteger(used) || used < 0) throw new RangeError(`API usage must be a non-negative integer, got ${used}`);
    this.apiUsed = used;
  }

  private count(key: string): void {
    this.requests += 1;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
  }

  private async readBody(req: http.IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > this.settings.maxBodyBytes) {
        throw new SimHttpError(413, sfError('REQUEST_ENTITY_TOO_LARGE', `request body exceeds ${this.settings.maxBodyBytes} bytes`));
      }
      chunks.push(b);
    }
    if (chunks.length === 0) return undefined;
    let buf = Buffer.concat(chunks);
    if (/gzip/i.test(req.headers['content-encoding'] ?? '')) {
      try {
        buf = gunzipSync(buf);
      } catch {
        throw new SimHttpError(400, sfError('JSON_PARSER_ERROR', 'request body is not valid gzip'));
      }
    }
    return buf.toString('utf8');
  }

  private send(res: http.ServerResponse, r: SimResponse, gzip: boolean, limitInfo: string | undefined, cutAfterBytes?: number): void {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (limitInfo !== undefined) headers['Sforce-Limit-Info'] = limitInfo;
    if (r.status === 204 || r.status === 304 || r.body === undefined) {
      res.writeHead(r.status, headers);
      res.end();
      return;
    }
    if (r.body instanceof BinaryBody) {
      headers['Content-Type'] = r.body.contentType;
      headers['Content-Length'] = String(r.body.bytes.length);
      res.writeHead(r.status, headers);
      res.end(r.body.bytes);
      return;
    }
    let payload: Buffer = Buffer.from(r.body instanceof RawJson ? r.body.text : JSON.stringify(r.body), 'utf8');
    headers['Content-Type'] = JSON_TYPE;
    if (gzip && payload.length > 1024) {
      payload = gzipSync(payload);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(payload.length);
    res.writeHead(r.status, headers);
    if (cutAfterBytes !== undefined && cutAfterBytes < payload.length) {
      // A download cut mid-body: the length was promised, the socket goes away.
      res.write(payload.subarray(0, cutAfterBytes), () => res.destroy());
      return;
    }
    res.end(payload);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const u = requestUrl(req);
    const path = u.pathname;
    const data = DATA_PATH.exec(path);
    const subPath = data ? (data[2] ?? '') : '';
    const rawKey = data ? this.raw?.routeKey(method, subPath) : undefined;
    const key = data
      ? (rawKey ?? this.router.routeKey(method, subPath) ?? `${method} (no route)`)
      : /^\/services\/data\/?$/.test(path)
        ? `${method} /services/data`
        : path.startsWith('/services/oauth2/')
          ? `${method} ${path}`
          : path.startsWith('/id/')
            ? `${method} /id/{orgId}/{userId}`
            : `${method} (no route)`;
    this.count(key);
    const gzip = this.settings.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const limitInfo = () => (data ? `api-usage=${this.apiUsed}/${this.settings.dailyApiLimit}` : undefined);

    let body: string | undefined;
    try {
      // A raw API reads (streams) its own request bodies.
      if (rawKey === undefined) body = await this.readBody(req);
    } catch (error) {
      if (error instanceof SimHttpError) return this.send(res, { status: error.status, body: error.body }, false, limitInfo());
      throw error;
    }

    if (this.settings.latencyMs > 0) await sleep(this.settings.latencyMs);

    const fault = this.faults.match(method, path);
    if (fault !== undefined) {
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.expireSession) {
        const token = bearer(req);
        if (token !== undefined) this.tokens.revoke(token);
        const e = invalidSession();
        return this.send(res, { status: e.status, headers: { 'WWW-Authenticate': 'Token' }, body: e.body }, false, limitInfo());
      }
      if (fault.response !== undefined) {
        const r = fault.response;
        const headers: Record<string, string> = { ...r.headers, 'Content-Type': r.contentType };
        const l = limitInfo();
        if (l !== undefined && r.contentType.startsWith('application/json')) headers['Sforce-Limit-Info'] = l;
        res.writeHead(r.status, headers);
        res.end(r.body);
        return;
      }
    }

    if (path === '/services/oauth2/token') return this.token(req, res, method, body);
    if (path === '/services/oauth2/revoke') return this.revoke(res, method, body, u.searchParams);
    if (path === '/services/oauth2/authorize') return this.authorize(res, method, u.searchParams);
    if (/^\/services\/data\/?$/.test(path)) {
      if (method !== 'GET') return this.send(res, { status: 405, body: [sfError('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`)] }, false, undefined);
      return this.send(
        res,
        { status: 200, body: this.settings.versions.map((v) => ({ label: labelOf(v), url: `/services/data/v${v}`, version: v })) },
        gzip,
        undefined,
      );
    }
    const identity = /^\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})\/?$/.exec(path);
    if (identity || path === '/services/oauth2/userinfo') return this.identity(req, res, method, identity?.[1], identity?.[2], u.searchParams);
    if (!data) {
      return this.send(res, { status: 404, body: [sfError('NOT_FOUND', 'The requested resource does not exist')] }, false, undefined);
    }
    const version = data[1]!;

    const token = bearer(req);
    let session = token === undefined ? undefined : this.tokens.session(token);
    if (session !== undefined && this.faults.countSessionUse()) {
      this.tokens.revoke();
      session = undefined;
    }
    if (session === undefined) {
      const e = invalidSession();
      return this.send(res, { status: e.status, headers: { 'WWW-Authenticate': 'Token' }, body: e.body }, false, limitInfo());
    }
    if (!this.settings.versions.includes(version)) {
      return this.send(res, { status: 404, body: [sfError('NOT_FOUND', 'The requested resource does not exist')] }, false, limitInfo());
    }
    if (this.apiUsed >= this.settings.dailyApiLimit) {
      return this.send(res, { status: 403, body: [sfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')] }, false, limitInfo());
    }
    this.apiUsed += 1;
    if (rawKey !== undefined && this.raw !== undefined) {
      return this.raw.handle({ req, res, method, path: subPath, version, query: u.searchParams, session, fault, limitInfo: limitInfo() ?? '', gzip });
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const simReq: SimRequest = { method, path: subPath, version, query: u.searchParams, headers, body, session, sub: false };
    const r = this.router.dispatch(simReq, this.ctx);
    if (fault?.resetAfter === true) {
      req.socket.destroy();
      return;
    }
    this.send(res, r, gzip, limitInfo(), fault?.cutAfterBytes);
  }

  private async token(req: http.IncomingMessage, res: http.ServerResponse, method: string, body: string | undefined): Promise<void> {
    if (method !== 'POST') {
      return this.send(res, { status: 405, body: { error: 'invalid_request', error_description: 'must use HTTP POST' } }, false, undefined);
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!type.includes('application/x-www-form-urlencoded')) {
      return this.send(res, { status: 400, body: { error: 'invalid_request', error_description: 'request must be application/x-www-form-urlencoded' } }, false, undefined);
    }
    const form = new URLSearchParams(body ?? '');
    let basic: { id: string; secret: string } | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) basic = { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
    }
    try {
      const result = await this.tokens.grant(form, basic);
      this.send(res, { status: 200, headers: { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' }, body: result }, false, undefined);
    } catch (error) {
      if (error instanceof SimHttpError) return this.send(res, { status: error.status, body: error.body }, false, undefined);
      throw error;
    }
  }

  /**
   * The identity URL (`id` of a token response) and `/services/oauth2/userinfo`, for the token's
   * user. The token comes as a bearer header or the documented `oauth_token` (or `access_token`)
   * parameter; API URLs hold `{version}` unless `version` asks for a number or `latest`.
   */
  private identity(req: http.IncomingMessage, res: http.ServerResponse, method: string, orgId: string | undefined, userId: string | undefined, query: URLSearchParams): void {
    if (method !== 'GET' && method !== 'POST') return this.send(res, { status: 405, body: [sfError('METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,POST`)] }, false, undefined);
    const token = bearer(req) ?? query.get('oauth_token') ?? query.get('access_token') ?? undefined;
    const session = token === undefined ? undefined : this.tokens.session(token);
    if (session === undefined) return this.send(res, { status: 403, body: 'Bad_OAuth_Token' }, false, undefined);
    const org = this.tokens.orgId;
    if (orgId !== undefined && (orgId.slice(0, 15) !== org.slice(0, 15) || userId?.slice(0, 15) !== session.user.userId.slice(0, 15))) {
      return this.send(res, { status: 403, body: 'Bad_Id' }, false, undefined);
    }
    const u = session.user;
    const asked = query.get('version');
    const v = asked === null ? '{version}' : asked === 'latest' ? this.settings.apiVersion : asked.replace(/^v/, '');
    const record = (this.org.findById(u.userId)?.record ?? {}) as Record<string, unknown>;
    const text = (field: string, fallback: string | null): string | null => (typeof record[field] === 'string' ? (record[field] as string) : fallback);
    const local = u.username.split('@')[0] ?? u.username;
    const firstName = text('FirstName', null);
    const lastName = text('LastName', local);
    const email = text('Email', u.username);
    const soap = (kind: string) => `${this.url}/services/Soap/${kind}/${v}/${org.slice(0, 15)}`;
    const rest = `${this.url}/services/data/v${v}/`;
    const body = {
      id: `${this.url}/id/${org}/${u.userId}`,
      asserted_user: true,
      user_id: u.userId,
      organization_id: org,
      username: u.username,
      nick_name: text('CommunityNickname', local),
      display_name: text('Name', [firstName, lastName].filter((x) => x !== null).join(' ')),
      email,
      email_verified: true,
      first_name: firstName,
      last_name: lastName,
      timezone: text('TimeZoneSidKey', 'GMT'),
      photos: { picture: `${this.url}/profilephoto/005/F`, thumbnail: `${this.url}/profilephoto/005/T` },
      addr_street: text('Street', null),
      addr_city: text('City', null),
      addr_state: text('State', null),
      addr_country: text('Country', null),
      addr_zip: text('PostalCode', null),
      mobile_phone: text('MobilePhone', null),
      mobile_phone_verified: false,
      is_lightning_login_user: false,
      status: { created_date: null, body: null },
      urls: {
        enterprise: soap('c'),
        metadata: soap('m'),
        partner: soap('u'),
        rest,
        sobjects: `${rest}sobjects/`,
        search: `${rest}search/`,
        query: `${rest}query/`,
        recent: `${rest}recent/`,
        tooling_soap: soap('T'),
        tooling_rest: `${rest}tooling/`,
        profile: `${this.url}/${u.userId}`,
        feeds: `${rest}chatter/feeds`,
        groups: `${rest}chatter/groups`,
        users: `${rest}chatter/users`,
        feed_items: `${rest}chatter/feed-items`,
        feed_elements: `${rest}chatter/feed-elements`,
        custom_domain: this.url,
      },
      active: record.IsActive !== false,
      user_type: text('UserType', 'STANDARD')!.toUpperCase(),
      language: text('LanguageLocaleKey', 'en_US'),
      locale: text('LocaleSidKey', 'en_US'),
      utcOffset: 0,
      last_modified_date: text('LastModifiedDate', null) ?? toSfDateTime(new Date(session.issuedAt)),
      is_app_installed: true,
    };
    if (pathOf(req) === '/services/oauth2/userinfo') {
      return this.send(
        res,
        {
          status: 200,
          body: {
            sub: body.id,
            user_id: u.userId,
            organization_id: org,
            preferred_username: u.username,
            nickname: body.nick_name,
            name: body.display_name,
            email,
            email_verified: true,
            given_name: firstName,
            family_name: lastName,
            zoneinfo: body.timezone,
            photos: body.photos,
            profile: body.urls.profile,
            picture: body.photos.picture,
            address: {},
            is_salesforce_integration_user: false,
            urls: body.urls,
            active: body.active,
            user_type: body.user_type,
            language: body.language,
            locale: body.locale,
            utcOffset: 0,
            updated_at: body.last_modified_date,
            is_app_installed: true,
          },
        },
        false,
        undefined,
      );
    }
    this.send(res, { status: 200, body }, false, undefined);
  }

  /** Revokes an access token, or a refresh token (Salesforce then also ends its sessions; here: that token only). */
  private revoke(res: http.ServerResponse, method: string, body: string | undefined, query: URLSearchParams): void {
    const token = new URLSearchParams(body ?? '').get('token') ?? query.get('token');
    const bad = () => this.send(res, { status: 400, body: { error: 'unsupported_token_type', error_description: 'this token type is not supported' } }, false, undefined);
    if ((method !== 'POST' && method !== 'GET') || token === null) return bad();
    if (this.tokens.session(token) !== undefined) this.tokens.revoke(token);
    else if (!this.tokens.revokeRefreshToken(token)) return bad();
    this.send(res, { status: 200 }, false, undefined);
  }

  /** `GET /services/oauth2/authorize`: approves at once and redirects with a code (no login page). */
  private authorize(res: http.ServerResponse, method: string, query: URLSearchParams): void {
    if (method !== 'GET' && method !== 'POST') return this.send(res, { status: 405, body: { error: 'invalid_request', error_description: 'must use HTTP GET' } }, false, undefined);
    try {
      const location = this.tokens.authorize(query);
      res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
      res.end();
    } catch (error) {
      if (error instanceof SimHttpError) return this.send(res, { status: error.status, body: error.body }, false, undefined);
      throw error;
    }
  }
}

/**
 * The request URL with runs of slashes in the path collapsed: Salesforce serves
 * `//services/data/...` (what the sf CLI sends after storing an instance URL with a trailing slash).
 */
function requestUrl(req: http.IncomingMessage): URL {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
  return new URL(path + (q < 0 ? '' : raw.slice(q)), 'http://127.0.0.1');
}

function pathOf(req: http.IncomingMessage): string {
  return requestUrl(req).pathname;
}

function bearer(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined) return undefined;
  const m = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(auth);
  return m?.[1];
}

/** Release name of an API version: v60.0 is Spring '24, and each release adds one version. */
function labelOf(version: string): string {
  const offset = Number(version) - 60;
  const season = ((offset % 3) + 3) % 3; // 0 Spring, 1 Summer, 2 Winter (named after the next year)
  const year = 24 + Math.floor(offset / 3) + (season === 2 ? 1 : 0);
  return `${['Spring', 'Summer', 'Winter'][season]} '${String(year).padStart(2, '0')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
