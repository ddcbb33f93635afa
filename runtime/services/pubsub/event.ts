/**
 * Event definitions: what a generated event module exports and what the Pub/Sub client's
 * `subscribe()` and `publish()` accept to give typed iterators and typed publish.
 *
 * A definition is plain data (topic, names, schema id, the Avro schema as JSON text) plus phantom
 * types for the payload and the publish input. It loads nothing: no avsc, no grpc-js. That is why
 * it lives in the main runtime entry (`sfgen/runtime`) and generated event modules import only
 * that: importing an event module costs an application one small object, and the Avro codec for
 * its schema is built by the Pub/Sub side (`sfgen/pubsub`, `codecFor(definition)`) the first time
 * an event is decoded or published.
 *
 * The schema is kept as JSON text rather than an object literal so that checking a generated
 * module costs tsc one string literal, not a literal type per schema node.
 */

/** What a topic carries. */
export type EventKind = 'platformEvent' | 'changeEvent';

/** `ChangeEventHeader.changeType` values (`GAP_*`: the event carries no field values, re-read the record). */
export type ChangeType =
  | 'CREATE'
  | 'UPDATE'
  | 'DELETE'
  | 'UNDELETE'
  | 'GAP_CREATE'
  | 'GAP_UPDATE'
  | 'GAP_DELETE'
  | 'GAP_UNDELETE'
  | 'GAP_OVERFLOW'
  | 'SNAPSHOT';

/**
 * The header of a change event, decoded: the three field bitmaps are turned into field names.
 *
 * `Field` is the event's field-name union: top-level fields by name (`'Phone'`, `'BillingAddress'`)
 * and components of compound fields as `Parent.Component` (`'BillingAddress.City'`,
 * `'Name.LastName'`), the way Salesforce's bitmaps address them.
 */
export interface ChangeEventHeader<Field extends string = string> {
  /** API name of the changed object (`Account`). */
  readonly entityName: string;
  /** Ids of the changed records; several when identical changes were merged, or a wildcard such as `001*`. */
  readonly recordIds: readonly string[];
  readonly changeType: ChangeType;
  /** What made the change (`com/salesforce/api/rest/60.0;client=...`); may be empty. */
  readonly changeOrigin: string;
  /** Same for every change of one transaction. */
  readonly transactionKey: string;
  /** Position of this change within its transaction (1-based). */
  readonly sequenceNumber: number;
  /** When the transaction committed, epoch milliseconds UTC. */
  readonly commitTimestamp: number;
  /**
   * System change number of the transaction. A 64-bit Avro `long`: a `number` while it is below
   * 2^53 (every value seen in practice), a `bigint` beyond, never a rounded number.
   */
  readonly commitNumber: number | bigint;
  /** Id of the user who committed. */
  readonly commitUser: string;
  /** Fields set to null by this change (`null` alone in the payload means "unchanged" too). */
  readonly nulledFields: readonly Field[];
  /** Fields whose payload value is a diff, not the full value (long text areas). */
  readonly diffFields: readonly Field[];
  /** Fields this change modified; empty for every change type except UPDATE. */
  readonly changedFields: readonly Field[];
}

/**
 * A platform event or change event topic with its Avro schema, typed by its payload and publish
 * input. Generated event modules export one per event; pass it to the Pub/Sub client.
 *
 * @example
 * ```ts
 * import { Order_Event__e } from './generated/events/Order_Event__e.js';
 * for await (const event of pubsub.subscribe(Order_Event__e, { replay: 'latest' })) {
 *   event.payload.Order_Number__c; // string | null
 * }
 * await pubsub.publish(Order_Event__e, { Order_Number__c: 'A-1' });
 * ```
 */
export interface EventDefinition<Payload, Input = never> {
  readonly kind: EventKind;
  /** API name of the event (`Order_Event__e`, `AccountChangeEvent`). */
  readonly name: string;
  /** Topic name (`/event/Order_Event__e`, `/data/AccountChangeEvent`). */
  readonly topic: string;
  /** Id of the schema the types were generated from (Salesforce's schema id when read from an org). */
  readonly schemaId: string;
  /** The Avro schema as JSON text, as `GetSchema` returned it. */
  readonly schemaJson: string;
  /** Fields a publish input must set (not nillable and not defaulted in the event's describe); checked when encoding. */
  readonly requiredFields: readonly string[];
  /** Phantom: the decoded payload type. Never set at run time. */
  readonly '~payload'?: Payload;
  /** Phantom: the publish input type (`never` for change events, which cannot be published). */
  readonly '~input'?: Input;
}

/** Any event definition. */
export type AnyEventDefinition = EventDefinition<unknown, unknown>;

/** The decoded payload type of an event definition. */
export type PayloadOf<E> = E extends EventDefinition<infer P, unknown> ? P : never;

/** The publish input type of an event definition. */
export type PublishInputOf<E> = E extends EventDefinition<unknown, infer I> ? I : never;

/** What {@link defineEvent} takes. */
export interface EventDefinitionSpec {
  readonly kind: EventKind;
  readonly name: string;
  readonly topic: string;
  readonly schemaId: string;
  readonly schemaJson: string;
  readonly requiredFields?: readonly string[];
}

/**
 * Declares an event definition; generated event modules call it with their schema.
 *
 * @example
 * ```ts
 * export const Order_Event__e: EventDefinition<Order_Event__ePayload, Order_Event__eInput> =
 *   defineEvent<Order_Event__ePayload, Order_Event__eInput>({ kind: 'platformEvent', name: 'Order_Event__e',
 *     topic: '/event/Order_Event__e', schemaId: 'abc', schemaJson: '{"type":"record",...}' });
 * ```
 */
export function defineEvent<Payload, Input = never>(spec: EventDefinitionSpec): EventDefinition<Payload, Input> {
  return Object.freeze({
    kind: spec.kind,
    name: spec.name,
    topic: spec.topic,
    schemaId: spec.schemaId,
    schemaJson: spec.schemaJson,
    requiredFields: Object.freeze([...(spec.requiredFields ?? [])]),
  });
}
