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

function context(pages: Record<string, string>): { context: RestContext; calls: string[] } {
  const calls: string[] = [];
  const context: RestContext = {
    apiVersion: '60.0',
    dispatch: async (request: SfRequest): Promise<SfResponse> => {
      const url = request.url.replace(/\?.*$/, '');
      calls.push(url);
      const text = pages[url];
      if (text === undefined) throw new Error(`unexpected request ${request.url}`);
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
});
