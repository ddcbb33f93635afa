/**
 * The query iterator asks for page N+1 as soon as page N's head names its cursor, before parsing
 * page N (so the server prepares the next page while this process parses), and still checks the
 * parsed page against it. Injected dispatch: exact control of bodies and of call order.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../runtime/errors.js';
import { QueryStream, sniffNextRecordsUrl } from '../../../runtime/services/query.js';
import type { RestContext } from '../../../runtime/services/rest.js';
import type { SfRequest, SfResponse } from '../../../runtime/transport/types.js';

const V = '/services/data/v60.0';

/** Pages by URL; a page given as a list is answered in turn (the last entry from then on). */
function context(pages: Record<string, string | string[]>, maxAttempts = 1): { context: RestContext; calls: string[] } {
  const calls: string[] = [];
  const served = new Map<string, number>();
  const context: RestContext = {
    apiVersion: '60.0',
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
    dispatch: async (request: SfRequest): Promise<SfResponse> => {
      const url = request.url.replace(/\?.*$/, '');
      calls.push(url);
      const entry = pages[url];
      if (entry === undefined) throw new Error(`unexpected request ${request.url}`);
      const n = served.get(url) ?? 0;
      served.set(url, n + 1);
      const text = typeof entry === 'string' ? entry : (entry[Math.min(n, entry.length - 1)] as string);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text), url: request.url };
    },
  };
  return { context, calls };
}

const page = (next: string | undefined, ids: string[]): string =>
  JSON.stringify({ totalSize: 4, done: next === undefined, ...(next ? { nextRecordsUrl: next } : {}), records: ids.map((Id) => ({ attributes: { type: 'Account' }, Id })) });

describe('early next-page request', () => {
  it('reads the cursor from the head of a Salesforce-shaped page only', () => {
    expect(sniffNextRecordsUrl(Buffer.from(page(`${V}/query/01gABC-2`, ['a'])))).toBe(`${V}/query/01gABC-2`);
    expect(sniffNextRecordsUrl(Buffer.from(page(`${V}/queryAll/01gABC-2`, ['a'])))).toBe(`${V}/queryAll/01gABC-2`);
    expect(sniffNextRecordsUrl(Buffer.from(page(undefined, ['a'])))).toBeUndefined();
    // Whitespace, another key order, or an escaped URL: no early request (the parsed page decides).
    expect(sniffNextRecordsUrl(Buffer.from(`{ "totalSize": 4, "done": false, "nextRecordsUrl": "${V}/query/01g-2", "records": []}`))).toBeUndefined();
    expect(sniffNextRecordsUrl(Buffer.from(`{"done":false,"totalSize":4,"nextRecordsUrl":"${V}/query/01g-2","records":[]}`))).toBeUndefined();
    expect(sniffNextRecordsUrl(Buffer.from(`{"totalSize":4,"done":false,"nextRecordsUrl":"\\/services\\/data\\/v60.0\\/query\\/01g-2","records":[]}`))).toBeUndefined();
    expect(sniffNextRecordsUrl(Buffer.from(`{"totalSize":4,"done":false,"nextRecordsUrl":"https://evil.example/x","records":[]}`))).toBeUndefined();
  });

  it('sends the next request before parsing the current page: a page broken after its head still fails, the early request swallowed', async () => {
    const broken = page(`${V}/query/01gABC-2`, ['a', 'b']).slice(0, -5); // head intact, tail cut
    const { context: ctx, calls } = context({ [`${V}/query`]: broken, [`${V}/query/01gABC-2`]: page(undefined, ['c', 'd']) });
    const err = await new QueryStream(ctx, 'SELECT Id FROM Account').toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).message).toMatch(/malformed JSON/);
    // The second page was requested although the first one never parsed: it went out early.
    // (maxAttempts 1: the unreadable page is not fetched again.)
    expect(calls).toEqual([`${V}/query`, `${V}/query/01gABC-2`]);
  });

  it('delivers every row in order across early-requested pages', async () => {
    const { context: ctx, calls } = context({
      [`${V}/query`]: page(`${V}/query/01gABC-2`, ['a', 'b']),
      [`${V}/query/01gABC-2`]: page(`${V}/query/01gABC-3`, ['c']),
      [`${V}/query/01gABC-3`]: page(undefined, ['d']),
    });
    const rows = await new QueryStream<{ Id: string }>(ctx, { toSoql: () => 'SELECT Id FROM Account' }).toArray();
    expect(rows.map((r) => r.Id)).toEqual(['a', 'b', 'c', 'd']);
    expect(calls).toEqual([`${V}/query`, `${V}/query/01gABC-2`, `${V}/query/01gABC-3`]);
  });

  it('with maxRecords above a full page (2,000), requests early too', async () => {
    const broken = page(`${V}/query/01gABC-2`, ['a', 'b']).slice(0, -5);
    const { context: ctx, calls } = context({ [`${V}/query`]: broken, [`${V}/query/01gABC-2`]: page(undefined, ['c', 'd']) });
    await expect(new QueryStream(ctx, 'SELECT Id FROM Account', { maxRecords: 2001 }).toArray()).rejects.toThrow(ProtocolError);
    expect(calls).toHaveLength(2);
  });

  it('with maxRecords, asks for the next page only after parsing (no page beyond the cap)', async () => {
    const { context: ctx, calls } = context({
      [`${V}/query`]: page(`${V}/query/01gABC-2`, ['a', 'b']),
      [`${V}/query/01gABC-2`]: page(undefined, ['c', 'd']),
    });
    const stream = new QueryStream<{ Id: string }>(ctx, { toSoql: () => 'SELECT Id FROM Account' }, { maxRecords: 2 });
    expect((await stream.toArray()).map((r) => r.Id)).toEqual(['a', 'b']);
    expect(stream.truncated).toBe(true);
    expect(calls).toEqual([`${V}/query`]);
  });

  it('fetches a page again when its body was cut short (no Content-Length), within the retry policy, and delivers every row once', async () => {
    const good = page(`${V}/query/01gABC-2`, ['a', 'b']);
    const { context: ctx, calls } = context({
      [`${V}/query`]: [good.slice(0, -5), good],
      [`${V}/query/01gABC-2`]: [page(undefined, ['c', 'd']).slice(0, 30), page(undefined, ['c', 'd'])],
    }, 4);
    const rows = await new QueryStream<{ Id: string }>(ctx, 'SELECT Id FROM Account').toArray();
    expect(rows.map((r) => r.Id)).toEqual(['a', 'b', 'c', 'd']);
    expect(calls.filter((c) => c === `${V}/query`)).toHaveLength(2);
  });

  it('a page that stays unreadable fails after maxAttempts; position and resume() continue without re-reading or skipping rows', async () => {
    const pages: Record<string, string | string[]> = {
      [`${V}/query`]: page(`${V}/query/01gABC-2`, ['a', 'b']),
      [`${V}/query/01gABC-2`]: '{"totalSize":4,"done":fal',
    };
    const { context: ctx, calls } = context(pages, 3);
    const stream = new QueryStream<{ Id: string }>(ctx, 'SELECT Id FROM Account');
    const seen: string[] = [];
    const err = await (async () => {
      for await (const row of stream) seen.push(row.Id);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(seen).toEqual(['a', 'b']);
    expect(calls.filter((c) => c === `${V}/query/01gABC-2`)).toHaveLength(3);
    expect(stream.position).toEqual({ soql: 'SELECT Id FROM Account', includeDeleted: false, nextRecordsUrl: `${V}/query/01gABC-2`, delivered: 2, totalSize: 4 });
    pages[`${V}/query/01gABC-2`] = page(undefined, ['c', 'd']);
    const resumed = stream.resume();
    for await (const row of resumed) seen.push(row.Id);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(resumed.position).toBeUndefined();
    expect(() => resumed.resume()).toThrow(/has not failed/);
    // resumeFrom must be a position of the same query.
    expect(() => new QueryStream(ctx, 'SELECT Name FROM Account', { resumeFrom: stream.position! })).toThrow(/position of another query/);
  });

  it('maxRecords counts the rows delivered before a resume', async () => {
    const { context: ctx } = context({ [`${V}/query/01gABC-2`]: page(`${V}/query/01gABC-4`, ['c', 'd']), [`${V}/query/01gABC-4`]: page(undefined, ['e']) });
    const resumeFrom = { soql: 'SELECT Id FROM Account', includeDeleted: false, nextRecordsUrl: `${V}/query/01gABC-2`, delivered: 2, totalSize: 5 };
    const stream = new QueryStream<{ Id: string }>(ctx, 'SELECT Id FROM Account', { resumeFrom, maxRecords: 3 });
    expect((await stream.toArray()).map((r) => r.Id)).toEqual(['c']);
    expect(stream.truncated).toBe(true);
  });

  it('truncated is false when the query has exactly maxRecords rows, true when rows were left', async () => {
    const pages = { [`${V}/query`]: page(`${V}/query/01gABC-2`, ['a', 'b']), [`${V}/query/01gABC-2`]: page(undefined, ['c', 'd']) };
    const exact = new QueryStream<{ Id: string }>(context(pages).context, 'SELECT Id FROM Account', { maxRecords: 4 });
    expect(await exact.toArray()).toHaveLength(4);
    expect(exact.truncated).toBe(false);
    const cut = new QueryStream<{ Id: string }>(context(pages).context, 'SELECT Id FROM Account', { maxRecords: 3 });
    expect(await cut.toArray()).toHaveLength(3);
    expect(cut.truncated).toBe(true);
    const onePage = new QueryStream<{ Id: string }>(context({ [`${V}/query`]: page(undefined, ['a', 'b']) }).context, 'SELECT Id FROM Account', { maxRecords: 2 });
    expect(await onePage.toArray()).toHaveLength(2);
    expect(onePage.truncated).toBe(false);
  });
});
