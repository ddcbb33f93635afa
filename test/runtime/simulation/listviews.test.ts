// List views over real HTTP: the "All" view of each object with a tab (demo org), its basic
// information, describe and results (the describe's query run by the query engine, paged with
// limit/offset), explain by list view id, and Salesforce's answers to what is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'sfgen/simulator';
import { call, V } from './helpers.js';

let sim: Simulator;
let token: string;

interface ViewInfo {
  id: string;
  developerName: string;
  label: string;
  url: string;
  describeUrl: string;
  resultsUrl: string;
  soqlCompatible: boolean;
}
interface ViewList {
  done: boolean;
  listviews: ViewInfo[];
  nextRecordsUrl: null;
  size: number;
  sobjectType: string;
}
interface Column {
  fieldNameOrPath: string;
  hidden: boolean;
  label: string;
  selectListItem: string;
  sortDirection: string | null;
  sortIndex: number | null;
  sortable: boolean;
  type: string;
  ascendingLabel: string | null;
  descendingLabel: string | null;
}
interface Results {
  columns: Column[];
  developerName: string;
  done: boolean;
  id: string;
  label: string;
  records: { columns: { fieldNameOrPath: string; value: string | null }[] }[];
  size: number;
}

beforeAll(async () => {
  sim = await startSimulator({ metadataDir: 'test/fixtures/demo-org' });
  token = sim.issueAccessToken();
});
afterAll(async () => {
  await sim.close();
});

async function allView(sobject: string): Promise<ViewInfo> {
  const res = await call(sim, token, 'GET', `${V}/sobjects/${sobject}/listviews`);
  expect(res.status).toBe(200);
  const list = res.json as ViewList;
  expect(list.listviews).toHaveLength(1);
  return list.listviews[0]!;
}

async function ids(soql: string): Promise<string[]> {
  const res = await call(sim, token, 'GET', `${V}/query?q=${encodeURIComponent(soql)}`);
  expect(res.status).toBe(200);
  return (res.json as { records: { Id: string }[] }).records.map((r) => r.Id);
}

describe('GET /sobjects/{name}/listviews', () => {
  it('lists the "All" view of a standard object, with its URLs', async () => {
    const res = await call(sim, token, 'GET', `${V}/sobjects/Account/listviews`);
    const list = res.json as ViewList;
    expect(list).toMatchObject({ done: true, nextRecordsUrl: null, size: 1, sobjectType: 'Account' });
    const view = list.listviews[0]!;
    expect(view.id).toMatch(/^00B[A-Za-z0-9]{15}$/);
    const url = `${V}/sobjects/Account/listviews/${view.id}`;
    expect(view).toEqual({ id: view.id, developerName: 'AllAccounts', label: 'All Accounts', url, describeUrl: `${url}/describe`, resultsUrl: `${url}/results`, soqlCompatible: true });
  });

  it('names a custom object\'s view "All", gives each object its own stable id, and none to objects without list views', async () => {
    const project = await allView('Project__c');
    expect(project).toMatchObject({ developerName: 'All', label: 'All' });
    const account = await allView('Account');
    expect(project.id).not.toBe(account.id);
    // Stable: another simulator gives the same ids.
    const other = await startSimulator({ metadataDir: 'test/fixtures/demo-org' });
    try {
      const res = await fetch(`${other.url}${V}/sobjects/Account/listviews`, { headers: { Authorization: `Bearer ${other.issueAccessToken()}` } });
      expect(((await res.json()) as ViewList).listviews[0]!.id).toBe(account.id);
    } finally {
      await other.close();
    }
    // History objects have no list views (their describe lists no listviews URL).
    expect((await call(sim, token, 'GET', `${V}/sobjects/AccountHistory/listviews`)).json).toEqual({ done: true, listviews: [], nextRecordsUrl: null, size: 0, sobjectType: 'AccountHistory' });
    expect((await call(sim, token, 'GET', `${V}/sobjects/Nope__c/listviews`)).status).toBe(404);
  });

  it('answers /listviews/recent with a well-formed empty list (no list view was opened)', async () => {
    expect((await call(sim, token, 'GET', `${V}/sobjects/Account/listviews/recent`)).json).toEqual({ done: true, listviews: [], nextRecordsUrl: null, size: 0, sobjectType: 'Account' });
  });
});

describe('one list view', () => {
  it('answers basic information by 18- or 15-character id; an unknown or another object\'s id is 404', async () => {
    const view = await allView('Contact');
    for (const id of [view.id, view.id.slice(0, 15)]) {
      const res = await call(sim, token, 'GET', `${V}/sobjects/Contact/listviews/${id}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual(view);
    }
    const account = await allView('Account');
    for (const path of [`Contact/listviews/${account.id}`, 'Contact/listviews/00BSm0000000000AAA', 'Contact/listviews/nope', `Contact/listviews/${account.id}/results`]) {
      const res = await call(sim, token, 'GET', `${V}/sobjects/${path}`);
      expect(res.status).toBe(404);
      expect((res.json as { errorCode: string }[])[0]!.errorCode).toBe('NOT_FOUND');
    }
  });

  it('describes the view: the name column shown and sorted, the audit columns hidden, and the SOQL they make', async () => {
    const view = await allView('Account');
    const res = await call(sim, token, 'GET', `${view.describeUrl}`);
    expect(res.status).toBe(200);
    const d = res.json as { columns: Column[]; id: string; orderBy: unknown[]; query: string; scope: string; sobjectType: string; whereCondition: unknown };
    expect(d.id).toBe(view.id.slice(0, 15));
    expect(d.sobjectType).toBe('Account');
    expect(d.columns.map((c) => [c.fieldNameOrPath, c.hidden])).toEqual([
      ['Name', false],
      ['Id', true],
      ['CreatedDate', true],
      ['LastModifiedDate', true],
      ['SystemModstamp', true],
    ]);
    expect(d.columns[0]).toEqual({
      ascendingLabel: 'Z-A',
      descendingLabel: 'A-Z',
      fieldNameOrPath: 'Name',
      hidden: false,
      label: 'Account Name',
      selectListItem: 'Name',
      sortDirection: 'ascending',
      sortIndex: 0,
      sortable: true,
      type: 'string',
    });
    expect(d.columns[1]).toMatchObject({ label: 'Account ID', type: 'id', sortable: false, sortIndex: null, ascendingLabel: null });
    expect(d.orderBy).toEqual([
      { fieldNameOrPath: 'Name', nullsPosition: 'first', sortDirection: 'ascending' },
      { fieldNameOrPath: 'Id', nullsPosition: 'first', sortDirection: 'ascending' },
    ]);
    expect(d.query).toBe('SELECT name, id, createddate, lastmodifieddate, systemmodstamp FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST');
    expect(d.scope).toBe('everything');
    expect(d.whereCondition).toEqual({ conditions: [], conjunction: 'and' });
    // The query the describe states runs as it is.
    expect(await ids(d.query)).toHaveLength(sim.org.records('Account').length);
  });

  it('uses the object\'s own name field (Case: CaseNumber)', async () => {
    const view = await allView('Case');
    const d = (await call(sim, token, 'GET', view.describeUrl)).json as { columns: Column[]; query: string };
    expect(d.columns[0]).toMatchObject({ fieldNameOrPath: 'CaseNumber', hidden: false });
    expect(d.query).toMatch(/^SELECT casenumber, id, .* FROM Case ORDER BY CaseNumber ASC NULLS FIRST, Id ASC NULLS FIRST$/);
  });
});

describe('GET /sobjects/{name}/listviews/{id}/results', () => {
  it('runs the view\'s query now: 25 rows by default, pages with limit and offset, in the describe\'s order', async () => {
    const view = await allView('Account');
    const describeQuery = ((await call(sim, token, 'GET', view.describeUrl)).json as { query: string }).query;
    const expected = await ids(describeQuery);
    expect(expected.length).toBeGreaterThan(25);

    const first = (await call(sim, token, 'GET', view.resultsUrl)).json as Results;
    expect(first).toMatchObject({ developerName: 'AllAccounts', label: 'All Accounts', id: view.id.slice(0, 15), done: false, size: 25 });
    expect(first.columns.map((c) => c.fieldNameOrPath)).toEqual(['Name', 'Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp']);
    expect(first.records).toHaveLength(25);

    const seen: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const page = (await call(sim, token, 'GET', `${view.resultsUrl}?limit=7&offset=${offset}`)).json as Results;
      for (const r of page.records) {
        expect(r.columns.map((c) => c.fieldNameOrPath)).toEqual(['Name', 'Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp']);
        seen.push(r.columns[1]!.value!);
      }
      expect(page.size).toBe(page.records.length);
      if (page.done) break;
      expect(page.size).toBe(7);
    }
    expect(seen).toEqual(expected);
  });

  it('writes cells as text, datetimes as Salesforce does (Fri Aug 01 21:15:46 GMT 2014), and sees new records', async () => {
    const view = await allView('Project__c');
    const created = await call(sim, token, 'POST', `${V}/sobjects/Project__c`, { Name: '!!! First by name' });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const res = (await call(sim, token, 'GET', `${view.resultsUrl}?limit=1`)).json as Results;
    const row = Object.fromEntries(res.records[0]!.columns.map((c) => [c.fieldNameOrPath, c.value]));
    expect(row.Id).toBe(id);
    expect(row.Name).toBe('!!! First by name');
    const stamp = new Date(sim.org.findById(id)!.record.CreatedDate as string);
    expect(row.CreatedDate).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d GMT \d{4}$/);
    expect(new Date(row.CreatedDate!.replace(/^\w+ (\w+) (\d+) ([\d:]+) GMT (\d+)$/, '$1 $2 $4 $3 GMT')).getTime()).toBe(Math.floor(stamp.getTime() / 1000) * 1000);
  });

  it('refuses a limit outside 1..2000 or a negative offset, naming the parameter', async () => {
    const view = await allView('Account');
    for (const q of ['limit=0', 'limit=2001', 'limit=abc', 'offset=-1']) {
      const res = await call(sim, token, 'GET', `${view.resultsUrl}?${q}`);
      expect(res.status).toBe(400);
      const [e] = res.json as { errorCode: string; message: string }[];
      expect(e!.errorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(e!.message).toContain(q.split('=')[0]);
    }
  });
});

describe('explain by list view id', () => {
  it('answers the plan of the view\'s query', async () => {
    const view = await allView('Contact');
    const res = await call(sim, token, 'GET', `${V}/query?explain=${view.id}`);
    expect(res.status).toBe(200);
    const body = res.json as { plans: { sobjectType: string; cardinality: number }[] };
    expect(body.plans[0]).toMatchObject({ sobjectType: 'Contact', cardinality: sim.org.records('Contact').length });
  });
});
