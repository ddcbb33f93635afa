import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from 'sfgen/simulator';
import { call, startTiny, V } from './helpers.js';

let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startTiny();
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

interface BatchBody {
  hasErrors: boolean;
  results: { statusCode: number; result: unknown }[];
}
interface CompositeBody {
  compositeResponse: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[];
}

describe('composite/batch', () => {
  it('serves describes and GET routes, counting one HTTP request', async () => {
    sim.resetStats();
    const r = await call(sim, token, 'POST', `${V}/composite/batch`, {
      batchRequests: [
        { method: 'GET', url: 'v60.0/sobjects/Account/describe' },
        { method: 'GET', url: '/services/data/v60.0/sobjects/Contact/describe' },
        { method: 'GET', url: 'v60.0/sobjects' },
        { method: 'GET', url: `v60.0/query?q=${encodeURIComponent('SELECT Id FROM User')}` },
        { method: 'GET', url: 'v60.0/limits' },
      ],
    });
    expect(r.status).toBe(200);
    const body = r.json as BatchBody;
    expect(body.hasErrors).toBe(false);
    expect(body.results.map((x) => x.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect((body.results[0]!.result as { name: string }).name).toBe('Account');
    expect((body.results[3]!.result as { totalSize: number }).totalSize).toBe(1);
    expect(sim.stats()).toEqual({ requests: 1, byRoute: { 'POST /composite/batch': 1 } });
  });

  it('reports sub-errors and halts on error when asked', async () => {
    const batchRequests = [
      { method: 'GET', url: 'v60.0/sobjects/Nope__c/describe' },
      { method: 'GET', url: 'v60.0/sobjects/Account/describe' },
    ];
    const plain = (await call(sim, token, 'POST', `${V}/composite/batch`, { batchRequests })).json as BatchBody;
    expect(plain.hasErrors).toBe(true);
    expect(plain.results.map((x) => x.statusCode)).toEqual([404, 200]);
    expect(plain.results[0]!.result).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const halted = (await call(sim, token, 'POST', `${V}/composite/batch`, { batchRequests, haltOnError: true })).json as BatchBody;
    expect(halted.results[1]).toEqual({ statusCode: 412, result: [{ message: 'Batch processing halted per request', errorCode: 'BATCH_PROCESSING_HALTED' }] });
  });

  it('accepts 25 subrequests and refuses 26 with a Salesforce error array', async () => {
    const make = (n: number) => Array.from({ length: n }, () => ({ method: 'GET', url: 'v60.0/limits' }));
    expect((await call(sim, token, 'POST', `${V}/composite/batch`, { batchRequests: make(25) })).status).toBe(200);
    const r = await call(sim, token, 'POST', `${V}/composite/batch`, { batchRequests: make(26) });
    expect(r.status).toBe(400);
    expect(r.json).toEqual([{ message: 'A batch cannot contain more than 25 requests', errorCode: 'INVALID_BATCH_REQUEST' }]);
  });

  it('writes inside a batch with richInput', async () => {
    const r = (await call(sim, token, 'POST', `${V}/composite/batch`, {
      batchRequests: [{ method: 'POST', url: 'v60.0/sobjects/Account', richInput: { Name: 'Batched' } }],
    })).json as BatchBody;
    expect(r.results[0]!.statusCode).toBe(201);
    expect(r.results[0]!.result).toMatchObject({ success: true });
  });
});

describe('composite', () => {
  it('answers If-Modified-Since subrequests with 304 and a null body', async () => {
    const r = await call(sim, token, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: `${V}/sobjects/Account/describe`, referenceId: 'acc', httpHeaders: { 'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' } },
        { method: 'GET', url: `${V}/sobjects/Contact/describe`, referenceId: 'con', httpHeaders: { 'If-Modified-Since': 'Fri, 01 Dec 2023 00:00:00 GMT' } },
      ],
    });
    expect(r.status).toBe(200);
    const [acc, con] = (r.json as CompositeBody).compositeResponse;
    expect(acc).toEqual({ body: null, httpHeaders: { 'Last-Modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }, httpStatusCode: 304, referenceId: 'acc' });
    expect(con!.httpStatusCode).toBe(200);
    expect((con!.body as { name: string }).name).toBe('Contact');
    expect(Object.keys(con!.httpHeaders)).not.toContain('Content-Length');
  });

  it('wires @{ref} references between subrequests', async () => {
    const r = await call(sim, token, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'newAcc', body: { Name: 'Composite Co' } },
        { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'newCon', body: { LastName: 'Ref', AccountId: '@{newAcc.id}' } },
        { method: 'GET', url: `${V}/sobjects/Contact/@{newCon.id}?fields=AccountId`, referenceId: 'readCon' },
        { method: 'GET', url: `${V}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Composite Co'")}`, referenceId: 'q' },
        { method: 'GET', url: `${V}/sobjects/Account/@{q.records[0].Id}?fields=Name`, referenceId: 'readAcc' },
      ],
    });
    const res = (r.json as CompositeBody).compositeResponse;
    expect(res.map((x) => x.httpStatusCode)).toEqual([201, 201, 200, 200, 200]);
    const accId = (res[0]!.body as { id: string }).id;
    expect(res[0]!.httpHeaders.Location).toBe(`${V}/sobjects/Account/${accId}`);
    expect((res[2]!.body as { AccountId: string }).AccountId).toBe(accId);
    expect((res[4]!.body as { Name: string }).Name).toBe('Composite Co');
  });

  it('halts dependants of a failed subrequest; allOrNone rolls everything back', async () => {
    const compositeRequest = [
      { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'good', body: { Name: 'Rolled Back Co' } },
      { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'bad', body: { Industry: 'Energy' } },
      { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'dep', body: { LastName: 'x', AccountId: '@{bad.id}' } },
    ];
    const partial = (await call(sim, token, 'POST', `${V}/composite`, { compositeRequest })).json as CompositeBody;
    expect(partial.compositeResponse.map((x) => x.httpStatusCode)).toEqual([201, 400, 400]);
    expect((partial.compositeResponse[1]!.body as { errorCode: string }[])[0]!.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect((partial.compositeResponse[2]!.body as { errorCode: string }[])[0]!.errorCode).toBe('PROCESSING_HALTED');

    const before = sim.org.records('Account').length;
    const all = (await call(sim, token, 'POST', `${V}/composite`, {
      allOrNone: true,
      compositeRequest: compositeRequest.map((x) => ({ ...x, referenceId: `${x.referenceId}2`, body: { ...x.body, ...(x.referenceId === 'dep' ? { AccountId: '@{bad2.id}' } : {}) } })),
    })).json as CompositeBody;
    expect(all.compositeResponse.map((x) => x.httpStatusCode)).toEqual([400, 400, 400]);
    expect(all.compositeResponse[0]!.body).toEqual([
      { message: 'The transaction was rolled back since another operation in the same transaction failed.', errorCode: 'PROCESSING_HALTED' },
    ]);
    expect(sim.org.records('Account').length).toBe(before);
  });

  it('resolves references into a describe result', async () => {
    const r = (await call(sim, token, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: `${V}/sobjects/Account/describe`, referenceId: 'd' },
        { method: 'GET', url: `${V}/sobjects/@{d.childRelationships[0].childSObject}/describe`, referenceId: 'child' },
      ],
    })).json as CompositeBody;
    expect(r.compositeResponse.map((x) => x.httpStatusCode)).toEqual([200, 200]);
    expect((r.compositeResponse[1]!.body as { name: string }).name).toBe('Contact');
  });

  it('refuses more than 25 subrequests and duplicate referenceIds', async () => {
    const many = Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: `${V}/limits`, referenceId: `r${i}` }));
    const r = await call(sim, token, 'POST', `${V}/composite`, { compositeRequest: many });
    expect(r.status).toBe(400);
    expect((r.json as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_BATCH_REQUEST');
    const dup = await call(sim, token, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'GET', url: `${V}/limits`, referenceId: 'a' },
        { method: 'GET', url: `${V}/limits`, referenceId: 'a' },
      ],
    });
    expect(dup.status).toBe(400);
  });
});

describe('composite graph', () => {
  it('runs graphs independently, each all-or-nothing', async () => {
    const before = sim.org.records('Account').length;
    const r = await call(sim, token, 'POST', `${V}/composite/graph`, {
      graphs: [
        {
          graphId: 'ok',
          compositeRequest: [
            { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'Graph Co' } },
            { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { LastName: 'G', AccountId: '@{a.id}' } },
          ],
        },
        {
          graphId: 'bad',
          compositeRequest: [
            { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'Never Co' } },
            { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'b', body: { Industry: 'Nope' } },
          ],
        },
      ],
    });
    expect(r.status).toBe(200);
    const graphs = (r.json as { graphs: { graphId: string; isSuccessful: boolean; graphResponse: CompositeBody }[] }).graphs;
    expect(graphs.map((g) => [g.graphId, g.isSuccessful])).toEqual([['ok', true], ['bad', false]]);
    expect(graphs[0]!.graphResponse.compositeResponse.map((x) => x.httpStatusCode)).toEqual([201, 201]);
    expect(graphs[1]!.graphResponse.compositeResponse.map((x) => x.httpStatusCode)).toEqual([400, 400]);
    expect(sim.org.records('Account').length).toBe(before + 1);
  });

  it('allows sObject Collections inside composite but not nested composite', async () => {
    const r = (await call(sim, token, 'POST', `${V}/composite`, {
      compositeRequest: [
        { method: 'POST', url: `${V}/composite/sobjects`, referenceId: 'col', body: { records: [{ attributes: { type: 'Account' }, Name: 'Col in composite' }] } },
        { method: 'POST', url: `${V}/composite/batch`, referenceId: 'nested', body: { batchRequests: [] } },
      ],
    })).json as CompositeBody;
    expect(r.compositeResponse[0]!.httpStatusCode).toBe(200);
    expect(r.compositeResponse[1]!.httpStatusCode).toBe(400);
  });
});
