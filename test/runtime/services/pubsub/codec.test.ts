/**
 * The Avro event codec: unions unwrapped, longs exact, enums as strings, fields of a newer writer
 * schema kept, change event bitmaps (top-level, nested compound, by-name record references) turned
 * into field names, and publish inputs encoded with their defaults and checked.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { BitmapLayout, codecFor, EventCodec, EventDecodeError, EventEncodeError, eventCodec } from '../../../../runtime/services/pubsub/codec.js';
import { defineEvent, type ChangeEventHeader } from '../../../../runtime/services/pubsub/event.js';

const dir = new URL('../../../fixtures/demo-org/events/', import.meta.url);
const accountSchema = readFileSync(new URL('AccountChangeEvent.avsc', dir), 'utf8');
const orderSchema = readFileSync(new URL('Order_Event__e.avsc', dir), 'utf8');

/** An independent encoder (plain avsc, default options) to produce the bytes Salesforce would send. */
function writerBytes(schema: string, value: unknown): Buffer {
  return avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { wrapUnions: 'never' }).toBuffer(value);
}

function header(over: Partial<Record<keyof ChangeEventHeader, unknown>>): Record<string, unknown> {
  return {
    entityName: 'Account', recordIds: ['001000000000001AAA'], changeType: 'UPDATE', changeOrigin: '', transactionKey: 'tk',
    sequenceNumber: 1, commitTimestamp: 1714953600000, commitNumber: 1082990428293, commitUser: '005000000000001AAA',
    nulledFields: [], diffFields: [], changedFields: [], ...over,
  };
}

function nullAccount(): Record<string, unknown> {
  const schema = JSON.parse(accountSchema) as { fields: { name: string }[] };
  return Object.fromEntries(schema.fields.slice(1).map((f) => [f.name, null]));
}

describe('decoding a platform event', () => {
  const codec = new EventCodec('order-v1', orderSchema);

  it('unwraps nullable unions and keeps longs as numbers', () => {
    const bytes = writerBytes(orderSchema, {
      CreatedDate: 1714953600000, CreatedById: '005000000000001AAA', Order_Number__c: 'A-1', Account_Id__c: null,
      Amount__c: 12.5, Quantity__c: null, Ship_By__c: 1715014800000, Ship_Date__c: null, Express__c: true, Notes__c: null,
    });
    const payload = codec.decode(bytes);
    expect({ ...payload }).toEqual({
      CreatedDate: 1714953600000, CreatedById: '005000000000001AAA', Order_Number__c: 'A-1', Account_Id__c: null,
      Amount__c: 12.5, Quantity__c: null, Ship_By__c: 1715014800000, Ship_Date__c: null, Express__c: true, Notes__c: null,
    });
  });

  it('names the schema, topic and replay id when a payload does not decode', () => {
    const err = (() => {
      try {
        codec.decode(Buffer.from([0x02]), { topic: '/event/Order_Event__e', replayId: '42' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EventDecodeError);
    expect((err as EventDecodeError).message).toMatch(/\/event\/Order_Event__e, schema order-v1, replay id 42/);
    expect((err as EventDecodeError).replayId).toBe('42');
  });

  it('rejects a schema that is not an Avro record', () => {
    expect(() => new EventCodec('bad', '{"type":"string"}')).toThrow(/not an Avro record schema/);
    expect(() => new EventCodec('bad', '{nope')).toThrow(/not valid JSON/);
  });
});

describe('longs', () => {
  const schema = JSON.stringify({ type: 'record', name: 'L', fields: [{ name: 'n', type: 'long' }, { name: 'm', type: ['null', 'long'] }] });
  const codec = new EventCodec('longs', schema);
  /** Zig-zag varint of a bigint, written independently of the codec. */
  function varint(v: bigint): number[] {
    let z = v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
    const out: number[] = [];
    do {
      let byte = Number(z & 0x7fn);
      z >>= 7n;
      if (z > 0n) byte |= 0x80;
      out.push(byte);
    } while (z > 0n);
    return out;
  }

  it('decodes values beyond 2^53 exactly as bigint and smaller ones as number', () => {
    const big = 2n ** 60n + 7n;
    const bytes = Buffer.from([...varint(big), 2, ...varint(-(2n ** 55n) - 1n)]);
    expect(codec.decode(bytes)).toEqual({ n: big, m: -(2n ** 55n) - 1n });
    expect(codec.decode(Buffer.from([...varint(9007199254740991n), 0]))).toEqual({ n: 9007199254740991, m: null });
    expect(codec.decode(Buffer.from([...varint(-5n), 0]))).toEqual({ n: -5, m: null });
  });
});

describe('schema evolution', () => {
  const v1 = JSON.parse(orderSchema) as { fields: unknown[] };
  const v2 = JSON.stringify({ ...v1, fields: [...v1.fields, { name: 'Priority__c', type: ['null', 'string'], default: null }] });

  it('keeps the fields a newer writer schema added', () => {
    const definition = defineEvent({ kind: 'platformEvent', name: 'Order_Event__e', topic: '/event/Order_Event__e', schemaId: 'evo-v1', schemaJson: orderSchema });
    expect(codecFor(definition).schemaId).toBe('evo-v1');
    const bytes = new EventCodec('evo-v2', v2).encode({ Order_Number__c: 'A-2', Priority__c: 'High' }, { now: () => 1, createdById: '005000000000001AAA' });
    const payload = eventCodec('evo-v2', v2).decode(bytes);
    expect(payload['Priority__c']).toBe('High');
    expect(payload['Order_Number__c']).toBe('A-2');
  });

  it('caches one codec per schema id', () => {
    expect(eventCodec('evo-cache', v2)).toBe(eventCodec('evo-cache', v2));
  });
});

describe('encoding a publish input', () => {
  const definition = defineEvent<Record<string, unknown>, Record<string, unknown>>({
    kind: 'platformEvent', name: 'Order_Event__e', topic: '/event/Order_Event__e', schemaId: 'enc-v1', schemaJson: orderSchema,
    requiredFields: ['Order_Number__c'],
  });
  const codec = codecFor(definition);
  const reader = new EventCodec('enc-reader', orderSchema);

  it('fills CreatedDate and CreatedById, nulls the fields left out, wraps nothing', () => {
    const bytes = codec.encode({ Order_Number__c: 'A-3', Amount__c: 3 }, { now: () => 1714953600000, createdById: '005000000000009AAA' });
    expect({ ...reader.decode(bytes) }).toMatchObject({
      CreatedDate: 1714953600000, CreatedById: '005000000000009AAA', Order_Number__c: 'A-3', Amount__c: 3, Notes__c: null,
    });
    const defaulted = reader.decode(codec.encode({ Order_Number__c: 'A-4' }));
    expect(typeof defaulted['CreatedDate']).toBe('number');
    expect(defaulted['CreatedById']).toMatch(/^005/);
  });

  it('names the field that is missing, unknown or of the wrong type', () => {
    expect(() => codec.encode({ Amount__c: 1 } as never)).toThrow(EventEncodeError);
    expect(() => codec.encode({ Amount__c: 1 } as never)).toThrow('Order_Event__e.Order_Number__c: is required');
    expect(() => codec.encode({ Order_Number__c: 'x', Amuont__c: 1 } as never)).toThrow(/Order_Event__e\.Amuont__c: no such field/);
    const wrong = (() => {
      try {
        codec.encode({ Order_Number__c: 'x', Amount__c: 'ten' } as never);
      } catch (e) {
        return e as EventEncodeError;
      }
      return null;
    })();
    expect(wrong?.field).toBe('Amount__c');
    expect(wrong?.message).toMatch(/"ten" is not a valid/);
    expect(() => codec.encode(null as never)).toThrow(/must be an object/);
  });
});

describe('change event bitmaps', () => {
  const layout = BitmapLayout.fromSchema(JSON.parse(accountSchema));
  const codec = new EventCodec('ace-v1', accountSchema);

  it.each([
    [['0x022180', '5-0x0E'], ['Phone', 'Fax', 'Description', 'LastModifiedDate', 'BillingAddress.City', 'BillingAddress.State', 'BillingAddress.PostalCode']],
    [['0x0100', '5-0x04'], ['Fax', 'BillingAddress.State']],
    [['0x2000'], ['Description']],
    // person account rename: the 3-branch union ["null","string",Switchable_PersonName]
    [['0x020000', '1-0x04'], ['LastModifiedDate', 'Name.LastName']],
    // ShippingAddress refers to the Address record by name
    [['6-0x03'], ['ShippingAddress.Street', 'ShippingAddress.City']],
    // the parent's own bit and its components, as the bitmap says
    [['0x20', '5-0x01'], ['BillingAddress', 'BillingAddress.Street']],
    // lower case, odd length, no padding
    [['0x2180'], ['Phone', 'Fax', 'Description']],
    [['0xa'], ['Name', 'RecordTypeId']],
    // only components: the top-level element left out, empty, or without bits
    [['5-0x04'], ['BillingAddress.State']],
    [['', '5-0x04'], ['BillingAddress.State']],
    [['0x', '5-0x04'], ['BillingAddress.State']],
    [[], []],
  ])('%j -> %j', (bitmaps, names) => {
    expect(layout.names(bitmaps)).toEqual(names);
  });

  it('rejects bits beyond the schema and nested bitmaps on fields that are not compound', () => {
    expect(() => layout.names(['0x' + '8'.padEnd(16, '0')])).toThrow(/bit 63, beyond the schema's 56 fields/);
    expect(() => layout.names(['4-0x10'])).toThrow(/position 4, which is not a compound field/);
    expect(() => layout.names(['5-0x400'])).toThrow(/beyond the 10 components of BillingAddress/);
    expect(() => layout.names(['0xZZ'])).toThrow(/malformed bitmap/);
  });

  it('decodes the header with names in place of bitmaps', () => {
    const bytes = writerBytes(accountSchema, {
      ...nullAccount(),
      ChangeEventHeader: header({ changedFields: ['0x022180', '5-0x0E'], nulledFields: ['0x0100'], diffFields: ['0x2000'] }),
      Phone: '555', BillingAddress: { Street: null, City: 'Paris', State: null, PostalCode: '75001', Country: null, StateCode: null, CountryCode: null, Latitude: null, Longitude: null, GeocodeAccuracy: null },
      Name: { Salutation: null, FirstName: 'Ada', LastName: 'Lovelace', MiddleName: null, Suffix: null },
    });
    const payload = codec.decode(bytes) as Record<string, unknown> & { ChangeEventHeader: ChangeEventHeader };
    expect([...payload.ChangeEventHeader.changedFields]).toEqual(['Phone', 'Fax', 'Description', 'LastModifiedDate', 'BillingAddress.City', 'BillingAddress.State', 'BillingAddress.PostalCode']);
    expect(payload.ChangeEventHeader.nulledFields).toEqual(['Fax']);
    expect(payload.ChangeEventHeader.diffFields).toEqual(['Description']);
    expect(payload.ChangeEventHeader.changeType).toBe('UPDATE');
    expect(payload.ChangeEventHeader.commitNumber).toBe(1082990428293);
    expect((payload['Name'] as Record<string, unknown>)['LastName']).toBe('Lovelace');
    expect((payload['BillingAddress'] as Record<string, unknown>)['City']).toBe('Paris');
    expect(payload['Phone']).toBe('555');
  });

  it('turns a bad bitmap into a decode error naming the event', () => {
    const bytes = writerBytes(accountSchema, { ...nullAccount(), ChangeEventHeader: header({ changedFields: ['4-0x10'] }) });
    expect(() => codec.decode(bytes, { replayId: '7' })).toThrow(/ChangeEventHeader field bitmaps of AccountChangeEvent, schema ace-v1, replay id 7/);
  });
});
