/**
 * Typed composite plans end to end: the generated demo org's objects, the client, and the
 * simulator serving the bundled demo org over real sockets (`/composite`, `/composite/graph`).
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, UsageError, ValidationError } from '../../../runtime/errors.js';
import { compositePlan } from '../../../runtime/services/composite-plan.js';
import { selectFrom } from '../../../runtime/soql/index.js';
import { Account } from '../../../generated/sobjects/Account.js';
import { Contact } from '../../../generated/sobjects/Contact.js';
import { json, startServer } from '../helpers/server.js';
import { createClient } from '../../../runtime/client.js';
import { useDemoOrg } from '../helpers/demo-org.js';

const demo = useDemoOrg();

const countWhere = (name: string, pred: (r: Record<string, unknown>) => boolean): number =>
  demo.sim.store.records(name).filter((r) => pred(r as unknown as Record<string, unknown>)).length;

describe('typed composite plans', () => {
  it('create -> create with @{ref.id} -> get -> query -> update -> upsert -> delete, answers typed and correct', async () => {
    const plan = compositePlan()
      .create('newAccount', Account, { Name: 'Composite Corp', Industry: 'Energy' })
      .create('newContact', Contact, (ref) => ({ LastName: 'Wired', AccountId: ref('newAccount', 'id') }))
      .get('contact', Contact, (ref) => ref('newContact', 'id'), ['LastName', 'AccountId'])
      .query('contacts', selectFrom(Contact).select('Id', 'LastName', 'Account.Name').where('LastName', '=', 'Wired'))
      .query('byRef', "SELECT Id, LastName FROM Contact WHERE AccountId = '@{newAccount.id}'")
      .update('rename', Account, (ref) => ref('newAccount', 'id'), { Description: 'renamed in composite' })
      .upsert('erp', Account, 'ERP_Account_Number__c', 'CMP-ERP-1', { Name: 'ERP Corp' })
      .create('temp', Contact, { LastName: 'Temporary' })
      .delete('dropTemp', Contact, (ref) => ref('temp', 'id'));
    expect(plan.size).toBe(9);
    demo.sim.resetStats();
    const result = await demo.client.composite(plan, { allOrNone: true });
    expect(demo.sim.stats().requests).toBe(1);
    expect(result.ok).toBe(true);

    const account = result.unwrap('newAccount');
    expect(account).toEqual({ id: expect.stringMatching(/^001/), success: true, errors: [] });
    const contact = result.unwrap('contact');
    expect(contact.LastName).toBe('Wired');
    expect(contact.AccountId).toBe(account.id);
    expect(contact.attributes.type).toBe('Contact');
    const page = result.unwrap('contacts');
    expect(page.done).toBe(true);
    expect(page.records.map((r) => r.Account?.Name)).toEqual(['Composite Corp']);
    expect(result.unwrap('byRef').records.map((r) => r.LastName)).toEqual(['Wired']);
    expect(result.unwrap('rename')).toBeNull();
    expect(result.get('rename').httpStatusCode).toBe(204);
    expect(result.unwrap('erp')).toMatchObject({ id: expect.stringMatching(/^001/), created: true, success: true });
    expect(result.unwrap('dropTemp')).toBeNull();
    expect(result.entries.map((e) => e.referenceId)).toEqual(['newAccount', 'newContact', 'contact', 'contacts', 'byRef', 'rename', 'erp', 'temp', 'dropTemp']);

    const stored = await demo.client.sobject(Account).get(account.id, { fields: ['Description'] });
    expect(stored.Description).toBe('renamed in composite');
    expect(countWhere('Contact', (r) => r.LastName === 'Temporary')).toBe(0);
  });

  it('allOrNone: one failure rolls every write back; entries carry the error arrays; unwrap throws typed errors', async () => {
    const before = countWhere('Account', (r) => r.Name === 'Rolled Back Corp');
    const plan = compositePlan()
      .create('acct', Account, { Name: 'Rolled Back Corp' })
      // LastName is required: the types say so, this simulates data that slipped past them.
      .create('bad', Contact, (ref) => ({ AccountId: ref('acct', 'id') }) as never);
    const result = await demo.client.composite(plan, { allOrNone: true });
    expect(result.ok).toBe(false);
    const acct = result.get('acct');
    expect(acct.ok).toBe(false);
    expect(acct.httpStatusCode).toBe(400);
    if (!acct.ok) expect(acct.body[0]?.errorCode).toBe('PROCESSING_HALTED');
    const bad = result.get('bad');
    if (bad.ok) throw new Error('expected a failure');
    expect(bad.body[0]).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] });
    const err = (() => {
      try {
        result.unwrap('bad');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['LastName']);
    expect((err as ValidationError).message).toContain('(POST /services/data/v60.0/composite [bad: POST /services/data/v60.0/sobjects/Contact])');
    expect(countWhere('Account', (r) => r.Name === 'Rolled Back Corp')).toBe(before);
  });

  it('without allOrNone: earlier writes stay, a reference to a failed subrequest is PROCESSING_HALTED', async () => {
    const plan = compositePlan()
      .create('kept', Account, { Name: 'Kept Corp' })
      .create('bad', Contact, { FirstName: 'no last name' } as never)
      .get('readBad', Contact, (ref) => ref('bad', 'id'), ['LastName']);
    const result = await demo.client.composite(plan);
    expect(result.ok).toBe(false);
    expect(result.get('kept').ok).toBe(true);
    const readBad = result.get('readBad');
    if (readBad.ok) throw new Error('expected a failure');
    expect(readBad.body[0]?.errorCode).toBe('PROCESSING_HALTED');
    expect(readBad.body[0]?.message).toContain('@{bad.id}');
    expect(countWhere('Account', (r) => r.Name === 'Kept Corp')).toBe(1);
  });

  it('request(): an If-Modified-Since describe answers 304 as ok with a null body; a later date gets the describe', async () => {
    const plan = compositePlan()
      .request('fresh', { method: 'GET', url: 'sobjects/Account/describe', httpHeaders: { 'If-Modified-Since': 'Mon, 01 Jan 2035 00:00:00 GMT' } })
      .request('stale', { method: 'GET', url: 'sobjects/Account/describe', httpHeaders: { 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' } });
    const result = await demo.client.composite(plan);
    expect(result.ok).toBe(true);
    expect(result.get('fresh')).toMatchObject({ ok: true, httpStatusCode: 304, body: null });
    expect(result.unwrap('stale')).toMatchObject({ name: 'Account' });
  });

  it('refuses unknown references, bad ids and oversized plans before sending anything', async () => {
    demo.sim.resetStats();
    const unknown = compositePlan().request('r', { method: 'GET', url: 'sobjects/Account/@{nope.id}' });
    await expect(demo.client.composite(unknown)).rejects.toThrow(/@\{nope\}, which is not an earlier referenceId/);
    const plan = compositePlan().create('a', Account, { Name: 'x' });
    expect(() => plan.ref('b' as 'a', 'id')).toThrow(UsageError);
    expect(() => plan.create('a' as 'z', Account, { Name: 'again' })).toThrow(/referenceId a is already used/);
    expect(() => compositePlan().get('g', Account, 'not-an-id')).toThrow(/neither a Salesforce id/);
    expect(() => compositePlan().create('bad-ref', Account, { Name: 'x' })).toThrow(UsageError);
    let big = compositePlan() as ReturnType<typeof compositePlan>;
    for (let i = 0; i < 26; i++) big = big.request(`r${i}`, { method: 'GET', url: 'limits' }) as unknown as typeof big;
    await expect(demo.client.composite(big)).rejects.toThrow(/26 subrequests, at most 25/);
    expect(demo.sim.stats().requests).toBe(0);
  });

  it('graphs: typed by graph id; a failing graph is rolled back, the other one stays', async () => {
    const good = compositePlan()
      .create('acct', Account, { Name: 'Graph Good' })
      .create('ct', Contact, (ref) => ({ LastName: 'Graph', AccountId: ref('acct', 'id') }));
    const failing = compositePlan()
      .create('acct', Account, { Name: 'Graph Bad' })
      .create('ct', Contact, (ref) => ({ AccountId: ref('acct', 'id') }) as never);
    const graphs = await demo.client.compositeGraph({ good, failing });
    expect(graphs.good.isSuccessful).toBe(true);
    const ct = graphs.good.graphResponse.unwrap('ct');
    expect(ct.id).toMatch(/^003/);
    expect(graphs.failing.isSuccessful).toBe(false);
    expect(() => graphs.failing.graphResponse.unwrap('ct')).toThrow(ValidationError);
    expect(countWhere('Account', (r) => r.Name === 'Graph Good')).toBe(1);
    expect(countWhere('Account', (r) => r.Name === 'Graph Bad')).toBe(0);
  });
});

describe('typed composite answers that break the promise', () => {
  it('a 2xx create without an id, or a subresponse out of order, is a ProtocolError naming the subrequest', async () => {
    const server = await startServer((req, res) => {
      const body = JSON.parse(req.body) as { compositeRequest: { referenceId: string }[] };
      const refs = body.compositeRequest.map((s) => s.referenceId);
      if (refs[0] === 'swap') return json(res, 200, { compositeResponse: [...refs].reverse().map((r) => ({ body: null, httpHeaders: {}, httpStatusCode: 204, referenceId: r })) });
      return json(res, 200, { compositeResponse: refs.map((r) => ({ body: { success: true }, httpHeaders: {}, httpStatusCode: 201, referenceId: r })) });
    });
    const c = createClient({ auth: { accessToken: 't', instanceUrl: server.url }, allowInsecureLoopback: true, retry: false });
    try {
      await expect(c.composite(compositePlan().create('a', Account, { Name: 'x' }))).rejects.toThrow(/a \(create Account\) answered 201 without a save result with an id/);
      const swapped = compositePlan().delete('swap', Account, '001000000000001AAA').delete('other', Account, '001000000000002AAA');
      const err = await c.composite(swapped).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message).toContain('is not the answer of swap (delete Account)');
    } finally {
      await c.close();
      await server.close();
    }
  });
});
