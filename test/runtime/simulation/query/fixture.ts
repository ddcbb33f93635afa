/**
 * A tiny in-memory org for the query engine's tests: Account, Contact, User, Group, Task
 * (polymorphic Who/What/Owner), Opportunity and a custom object with a multipicklist, a location
 * and a textarea. Describes carry the properties the engine reads.
 */
import type { OrgStore, SimDescribe, SimField, SimRecord } from '../../../../runtime/simulation/store-types.js';
import { toId18 } from '../../../../runtime/simulation/ids.js';

type FieldSpec = Partial<SimField> & { name: string; type: string };

function field(spec: FieldSpec): SimField {
  const text = ['string', 'textarea', 'picklist', 'multipicklist', 'email', 'phone', 'url'].includes(spec.type);
  return {
    nillable: true,
    createable: true,
    updateable: true,
    filterable: spec.type !== 'address' && spec.type !== 'location' && spec.type !== 'base64',
    sortable: spec.type !== 'multipicklist' && spec.type !== 'address' && spec.type !== 'location' && spec.type !== 'base64',
    groupable: !['double', 'currency', 'percent', 'datetime', 'multipicklist', 'address', 'location', 'textarea', 'base64'].includes(spec.type),
    aggregatable: true,
    defaultedOnCreate: false,
    length: text ? 255 : 0,
    precision: 0,
    scale: 0,
    referenceTo: [],
    relationshipName: null,
    restrictedPicklist: false,
    picklistValues: [],
    custom: spec.name.endsWith('__c'),
    ...spec,
  };
}

const ref = (name: string, to: string[], rel: string): SimField =>
  field({ name, type: 'reference', referenceTo: to, relationshipName: rel });

function describe(name: string, keyPrefix: string, fields: SimField[], children: SimDescribe['childRelationships'] = []): SimDescribe {
  return {
    name,
    keyPrefix,
    queryable: true,
    createable: true,
    updateable: true,
    deletable: true,
    fields: [field({ name: 'Id', type: 'id', groupable: true }), ...fields],
    childRelationships: children,
  };
}

const pick = (...values: [string, string][]) => values.map(([value, label]) => ({ value, label, active: true }));

export const DESCRIBES: SimDescribe[] = [
  describe('Account', '001', [
    field({ name: 'Name', type: 'string' }),
    field({ name: 'Industry', type: 'picklist', picklistValues: pick(['Energy', 'Energy (label)'], ['Banking', 'Banking (label)']) }),
    field({ name: 'NumberOfEmployees', type: 'int' }),
    field({ name: 'AnnualRevenue', type: 'currency' }),
    field({ name: 'Description', type: 'textarea', filterable: false, sortable: false }),
    field({ name: 'CreatedDate', type: 'datetime' }),
    field({ name: 'IsActive__c', type: 'boolean' }),
    field({ name: 'Regions__c', type: 'multipicklist' }),
    field({ name: 'Founded__c', type: 'date' }),
    field({ name: 'Location__c', type: 'location' }),
    ref('OwnerId', ['User'], 'Owner'),
    ref('ParentId', ['Account'], 'Parent'),
  ], [
    { childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' },
    { childSObject: 'Task', field: 'WhatId', relationshipName: 'Tasks' },
    { childSObject: 'Account', field: 'ParentId', relationshipName: 'ChildAccounts' },
    { childSObject: 'Opportunity', field: 'AccountId', relationshipName: 'Opportunities' },
  ]),
  describe('Contact', '003', [
    field({ name: 'Name', type: 'string' }),
    field({ name: 'FirstName', type: 'string' }),
    field({ name: 'LastName', type: 'string' }),
    field({ name: 'Email', type: 'email' }),
    ref('AccountId', ['Account'], 'Account'),
    ref('OwnerId', ['User'], 'Owner'),
  ], [{ childSObject: 'Task', field: 'WhoId', relationshipName: 'Tasks' }]),
  describe('User', '005', [
    field({ name: 'Name', type: 'string' }),
    field({ name: 'Email', type: 'email' }),
    ref('ManagerId', ['User'], 'Manager'),
  ]),
  describe('Group', '00G', [field({ name: 'Name', type: 'string' }), field({ name: 'Type', type: 'picklist' })]),
  describe('Task', '00T', [
    field({ name: 'Subject', type: 'string' }),
    field({ name: 'ActivityDate', type: 'date' }),
    ref('WhoId', ['Contact', 'Lead'], 'Who'),
    ref('WhatId', ['Account', 'Case', 'Opportunity'], 'What'),
    ref('OwnerId', ['Group', 'User'], 'Owner'),
  ]),
  describe('Case', '500', [field({ name: 'CaseNumber', type: 'string', nameField: true }), field({ name: 'Subject', type: 'string' })]),
  describe('Opportunity', '006', [
    field({ name: 'Name', type: 'string' }),
    field({ name: 'Amount', type: 'currency' }),
    field({ name: 'StageName', type: 'picklist' }),
    field({ name: 'CloseDate', type: 'date' }),
    ref('AccountId', ['Account'], 'Account'),
  ]),
];

const id = (prefix: string, n: number): string => toId18(`${prefix}${String(n).padStart(12, '0')}`) as string;

export const IDS = {
  u1: id('005', 1), u2: id('005', 2), g1: id('00G', 1),
  a1: id('001', 1), a2: id('001', 2), a3: id('001', 3), a4: id('001', 4),
  c1: id('003', 1), c2: id('003', 2), c3: id('003', 3),
  t1: id('00T', 1), t2: id('00T', 2), t3: id('00T', 3), t4: id('00T', 4), k1: id('500', 1),
  o1: id('006', 1), o2: id('006', 2), o3: id('006', 3),
};

export const RECORDS: Record<string, Record<string, unknown>[]> = {
  User: [
    { Id: IDS.u1, Name: 'Ada Admin', Email: 'ada@example.com', ManagerId: null },
    { Id: IDS.u2, Name: 'Bob Builder', Email: 'bob@example.com', ManagerId: IDS.u1 },
  ],
  Group: [{ Id: IDS.g1, Name: 'Support Queue', Type: 'Queue' }],
  Account: [
    { Id: IDS.a1, Name: 'Acme', Industry: 'Energy', NumberOfEmployees: 100, AnnualRevenue: 5000.5, CreatedDate: '2024-05-06T09:15:27.000+0000', IsActive__c: true, Regions__c: 'EMEA;APAC', Founded__c: '1999-01-31', Location__c: { latitude: 48.8566, longitude: 2.3522 }, OwnerId: IDS.u1, ParentId: null, Description: 'long text' },
    { Id: IDS.a2, Name: 'globex', Industry: 'Banking', NumberOfEmployees: 20, AnnualRevenue: null, CreatedDate: '2024-05-07T00:00:00.000+0000', IsActive__c: false, Regions__c: 'AMER', Founded__c: '2010-06-15', Location__c: null, OwnerId: IDS.u2, ParentId: IDS.a1 },
    { Id: IDS.a3, Name: 'Initech 50%', Industry: null, NumberOfEmployees: null, AnnualRevenue: 10, CreatedDate: '2023-12-31T23:59:59.000+0000', IsActive__c: true, Regions__c: null, Founded__c: null, Location__c: { latitude: 51.5072, longitude: -0.1276 }, OwnerId: IDS.u2, ParentId: IDS.a1 },
    { Id: IDS.a4, Name: 'Umbrella', Industry: 'Energy', NumberOfEmployees: 5000, AnnualRevenue: 99, CreatedDate: '2025-01-01T00:00:00.000+0000', IsActive__c: false, Regions__c: 'APAC', Founded__c: '1970-01-01', Location__c: null, OwnerId: IDS.u1, ParentId: null },
  ],
  Contact: [
    { Id: IDS.c1, Name: 'Jane Doe', FirstName: 'Jane', LastName: 'Doe', Email: 'jane@acme.test', AccountId: IDS.a1, OwnerId: IDS.u1 },
    { Id: IDS.c2, Name: 'John Roe', FirstName: 'John', LastName: 'Roe', Email: null, AccountId: IDS.a1, OwnerId: IDS.u2 },
    { Id: IDS.c3, Name: 'Solo', FirstName: null, LastName: 'Solo', Email: 'solo@x.test', AccountId: null, OwnerId: IDS.u2 },
  ],
  Task: [
    { Id: IDS.t1, Subject: 'Call', ActivityDate: '2024-05-06', WhoId: IDS.c1, WhatId: IDS.a1, OwnerId: IDS.u1 },
    { Id: IDS.t2, Subject: 'Email', ActivityDate: null, WhoId: null, WhatId: IDS.o1, OwnerId: IDS.g1 },
    { Id: IDS.t3, Subject: 'Meet', ActivityDate: '2024-06-01', WhoId: IDS.c2, WhatId: null, OwnerId: IDS.u2 },
    { Id: IDS.t4, Subject: 'Zeta', ActivityDate: null, WhoId: null, WhatId: IDS.k1, OwnerId: IDS.u1 },
  ],
  Case: [{ Id: IDS.k1, CaseNumber: '00001234', Subject: 'Broken' }],
  Opportunity: [
    { Id: IDS.o1, Name: 'Big deal', Amount: 1000, StageName: 'Won', CloseDate: '2024-03-01', AccountId: IDS.a1 },
    { Id: IDS.o2, Name: 'Small deal', Amount: 10.25, StageName: 'Won', CloseDate: '2024-04-15', AccountId: IDS.a1 },
    { Id: IDS.o3, Name: 'Lost deal', Amount: 500, StageName: 'Lost', CloseDate: '2023-11-20', AccountId: IDS.a2 },
  ],
};

/** An OrgStore over the records above (optionally with deleted records for queryAll). */
export function makeStore(deleted: Record<string, Record<string, unknown>[]> = {}): OrgStore {
  const byName = new Map(DESCRIBES.map((d) => [d.name.toLowerCase(), d]));
  const records = (name: string, from: Record<string, Record<string, unknown>[]>): SimRecord[] => {
    const d = byName.get(name.toLowerCase());
    return d ? ((from[d.name] ?? []) as SimRecord[]) : [];
  };
  return {
    objectNames: () => DESCRIBES.map((d) => d.name),
    describe: (name) => byName.get(name.toLowerCase()),
    records: (name) => records(name, RECORDS),
    deletedRecords: (name) => records(name, deleted),
    findById(raw) {
      const id18 = toId18(raw);
      if (!id18) return undefined;
      for (const [sobject, list] of Object.entries(RECORDS)) {
        const record = list.find((r) => r.Id === id18);
        if (record) return { sobject, record: record as SimRecord };
      }
      return undefined;
    },
  };
}
