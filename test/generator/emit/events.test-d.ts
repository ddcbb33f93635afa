/**
 * Application-style code against the generated event modules (`generated/events/`): typed
 * payloads, publish inputs and change event field names; what must compile and what must not.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ChangeEventHeader, ChangeType, EventDefinition, PayloadOf, PublishInputOf } from 'sfgen/runtime';
import { codecFor } from '../../../runtime/services/pubsub/codec.js';
import { Order_Event__e, type Order_Event__eInput, type Order_Event__ePayload } from '../../../generated/events/Order_Event__e.js';
import { AccountChangeEvent, type AccountChangeEventField, type AccountChangeEventPayload } from '../../../generated/events/AccountChangeEvent.js';
import { acme__Widget__ChangeEvent } from '../../../generated/events/acme__Widget__ChangeEvent.js';

describe('platform event payloads', () => {
  it('types system fields as non-null and custom fields as nullable unions', () => {
    type P = PayloadOf<typeof Order_Event__e>;
    expectTypeOf<P>().toEqualTypeOf<Order_Event__ePayload>();
    expectTypeOf<P['CreatedDate']>().toEqualTypeOf<number>();
    expectTypeOf<P['CreatedById']>().toEqualTypeOf<string>();
    expectTypeOf<P['Order_Number__c']>().toEqualTypeOf<string | null>();
    expectTypeOf<P['Amount__c']>().toEqualTypeOf<number | null>();
    expectTypeOf<P['Express__c']>().toEqualTypeOf<boolean | null>();
    // dates and datetimes are epoch milliseconds, exactly representable
    expectTypeOf<P['Ship_Date__c']>().toEqualTypeOf<number | null>();
  });

  it('rejects fields the event does not have', () => {
    const payload = {} as Order_Event__ePayload;
    // @ts-expect-error -- Order_Event__e has no field Order_Numbr__c (typo)
    void payload.Order_Numbr__c;
    // @ts-expect-error -- payloads are read-only
    payload.Amount__c = 3;
  });
});

describe('publish inputs', () => {
  it('requires required fields and nothing else; no union wrappers', () => {
    expectTypeOf<PublishInputOf<typeof Order_Event__e>>().toEqualTypeOf<Order_Event__eInput>();
    const minimal: Order_Event__eInput = { Order_Number__c: 'A-1' };
    const full: Order_Event__eInput = { Order_Number__c: 'A-1', Amount__c: 12.5, Notes__c: null, CreatedDate: Date.now(), CreatedById: '005000000000001AAA' };
    expectTypeOf(minimal).toMatchTypeOf<Order_Event__eInput>();
    expectTypeOf(full).toMatchTypeOf<Order_Event__eInput>();
    // @ts-expect-error -- Order_Number__c is required (not nillable in the describe)
    const missing: Order_Event__eInput = { Amount__c: 1 };
    // @ts-expect-error -- a required field cannot be null
    const nulled: Order_Event__eInput = { Order_Number__c: null };
    // @ts-expect-error -- no hand-wrapping of Avro unions
    const wrapped: Order_Event__eInput = { Order_Number__c: { string: 'A-1' } };
    // @ts-expect-error -- unknown field
    const unknownField: Order_Event__eInput = { Order_Number__c: 'A-1', Priority__c: 'High' };
    void [missing, nulled, wrapped, unknownField];
  });

  it('types the codec of a definition by its payload and input', () => {
    const codec = codecFor(Order_Event__e);
    expectTypeOf(codec.decode(Buffer.alloc(0))).toEqualTypeOf<Order_Event__ePayload>();
    expectTypeOf(codec.encode).parameter(0).toEqualTypeOf<Order_Event__eInput>();
    // @ts-expect-error -- the codec's encode wants the event's input
    codec.encode({ Amount__c: 1 });
  });

  it('gives change events no publish input', () => {
    expectTypeOf<PublishInputOf<typeof AccountChangeEvent>>().toEqualTypeOf<never>();
    expectTypeOf(AccountChangeEvent).toMatchTypeOf<EventDefinition<AccountChangeEventPayload, never>>();
  });
});

describe('change events', () => {
  type Header = AccountChangeEventPayload['ChangeEventHeader'];

  it('types the header, with bitmaps as the object field-name union', () => {
    expectTypeOf<Header>().toEqualTypeOf<ChangeEventHeader<AccountChangeEventField>>();
    expectTypeOf<Header['changeType']>().toEqualTypeOf<ChangeType>();
    expectTypeOf<Header['changedFields'][number]>().toEqualTypeOf<AccountChangeEventField>();
    expectTypeOf<Header['nulledFields'][number]>().toEqualTypeOf<AccountChangeEventField>();
    expectTypeOf<Header['diffFields'][number]>().toEqualTypeOf<AccountChangeEventField>();
    expectTypeOf<Header['commitTimestamp']>().toEqualTypeOf<number>();
    expectTypeOf<Header['commitNumber']>().toEqualTypeOf<number | bigint>();
    expectTypeOf<'CREATE'>().toMatchTypeOf<Header['changeType']>();
  });

  it('names top-level fields and compound components', () => {
    expectTypeOf<'Phone'>().toMatchTypeOf<AccountChangeEventField>();
    expectTypeOf<'BillingAddress'>().toMatchTypeOf<AccountChangeEventField>();
    expectTypeOf<'BillingAddress.City'>().toMatchTypeOf<AccountChangeEventField>();
    expectTypeOf<'Name.LastName'>().toMatchTypeOf<AccountChangeEventField>();
    expectTypeOf<'BillingCity'>().not.toMatchTypeOf<AccountChangeEventField>();
    const header = {} as Header;
    // @ts-expect-error -- 'Phon' is no field of AccountChangeEvent
    const typo: boolean = header.changedFields.includes('Phon');
    // @ts-expect-error -- the header is not a field of itself
    const self: AccountChangeEventField = 'ChangeEventHeader';
    void [typo, self];
  });

  it('types compound fields as nested records and the person name as a 3-branch union', () => {
    type P = AccountChangeEventPayload;
    expectTypeOf<NonNullable<P['BillingAddress']>['City']>().toEqualTypeOf<string | null>();
    expectTypeOf<NonNullable<P['ShippingAddress']>['Latitude']>().toEqualTypeOf<number | null>();
    expectTypeOf<Extract<P['Name'], string>>().toEqualTypeOf<string>();
    expectTypeOf<Exclude<P['Name'], string | null>['LastName']>().toEqualTypeOf<string | null>();
    type W = PayloadOf<typeof acme__Widget__ChangeEvent>;
    expectTypeOf<NonNullable<W['acme__Location__c']>['Latitude']>().toEqualTypeOf<number | null>();
    expectTypeOf<'acme__Location__c.Longitude'>().toMatchTypeOf<W['ChangeEventHeader']['changedFields'][number]>();
  });
});
