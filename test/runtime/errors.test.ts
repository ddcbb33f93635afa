import { describe, expect, it } from 'vitest';
import {
  AuthError, DuplicateError, LimitError, LockError, MalformedQueryError, NotFoundError, SalesforceError, ServerError, ValidationError,
  errorFromResponse, parseErrorItems, safePath,
} from '../../runtime/errors.js';

const req = { method: 'PATCH', path: '/services/data/v60.0/sobjects/Account/001000000000001AAA' };
const res = (status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => ({
  status, headers, text: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('errorFromResponse', () => {
  it.each([
    [400, 'REQUIRED_FIELD_MISSING', ValidationError, 'SF_VALIDATION'],
    [400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', ValidationError, 'SF_VALIDATION'],
    [400, 'STRING_TOO_LONG', ValidationError, 'SF_VALIDATION'],
    [401, 'INVALID_SESSION_ID', AuthError, 'SF_AUTH'],
    [403, 'REQUEST_LIMIT_EXCEEDED', LimitError, 'SF_LIMIT'],
    [404, 'NOT_FOUND', NotFoundError, 'SF_NOT_FOUND'],
    [400, 'DUPLICATE_VALUE', DuplicateError, 'SF_DUPLICATE'],
    [400, 'UNABLE_TO_LOCK_ROW', LockError, 'SF_LOCK'],
    [400, 'MALFORMED_QUERY', MalformedQueryError, 'SF_MALFORMED_QUERY'],
    [400, 'INVALID_FIELD', MalformedQueryError, 'SF_MALFORMED_QUERY'],
    [500, 'UNKNOWN_EXCEPTION', ServerError, 'SF_SERVER'],
  ] as const)('%i %s -> %s', (status, errorCode, Cls, code) => {
    const err = errorFromResponse(res(status, [{ message: 'boom', errorCode, fields: ['Name'] }], { 'content-type': 'application/json', 'sforce-request-id': 'REQ-1' }), req);
    expect(err).toBeInstanceOf(Cls);
    expect(err).toBeInstanceOf(SalesforceError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.errorCode).toBe(errorCode);
    expect(err.fields).toEqual(['Name']);
    expect(err.requestId).toBe('REQ-1');
    expect(err.request).toEqual(req);
    expect(err.message).toBe(`${errorCode}: boom (PATCH ${req.path})`);
    expect(err.name).toBe(Cls.name);
  });

  it('keeps every item of an error array', () => {
    const err = errorFromResponse(res(400, [
      { message: 'Required fields are missing: [Name]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] },
      { message: 'bad value', errorCode: 'STRING_TOO_LONG', fields: ['Site'] },
    ]), req);
    expect(err.errors).toHaveLength(2);
    expect(err.message).toContain('(and 1 more)');
  });

  it('reads an HTML gateway page', () => {
    const err = errorFromResponse(res(503, '<html><head><title>Service Unavailable</title></head><body><h1>Down for maintenance</h1></body></html>', { 'content-type': 'text/html' }), req);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toContain('HTML page: Service Unavailable');
    expect(err.errorCode).toBeUndefined();
  });

  it('reads an OAuth error object', () => {
    const err = errorFromResponse(res(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }), { method: 'POST', path: '/services/oauth2/token' });
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toBe('invalid_grant: expired access/refresh token (POST /services/oauth2/token)');
  });

  it('survives malformed JSON and empty bodies', () => {
    expect(errorFromResponse(res(502, '{not json'), req).message).toContain('HTTP 502: {not json');
    expect(errorFromResponse(res(500, ''), req).message).toContain('empty body');
    expect(errorFromResponse(res(429, ''), req)).toBeInstanceOf(LimitError);
  });

  it('reads collection-style statusCode items', () => {
    expect(parseErrorItems([{ statusCode: 'DUPLICATE_VALUE', message: 'dup', fields: [] }])[0]?.errorCode).toBe('DUPLICATE_VALUE');
  });
});

describe('safePath', () => {
  it('keeps the query but removes secret parameters', () => {
    expect(safePath('https://x.my.salesforce.com/services/data/v60.0/query?q=SELECT+Id+FROM+Account')).toBe('/services/data/v60.0/query?q=SELECT Id FROM Account');
    const p = safePath('/services/oauth2/token?grant_type=refresh_token&refresh_token=SECRETSECRET&client_secret=S2S2S2S2');
    expect(p).not.toContain('SECRETSECRET');
    expect(p).not.toContain('S2S2S2S2');
    expect(p).toContain('grant_type=refresh_token');
  });
});
