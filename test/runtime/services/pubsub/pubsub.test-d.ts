/** Types of the Pub/Sub client: generated event definitions give typed payloads and publish inputs. */
import { describe, expectTypeOf, it } from 'vitest';
import type { EventDefinition } from '../../../../runtime/index.js';
import type { PubSubClient, PubSubEvent, PublishResult, Subscription } from '../../../../runtime/services/pubsub/index.js';

interface OrderPayload { readonly Order_Number__c: string | null; readonly Amount__c: number | null }
interface OrderInput { Order_Number__c: string; Amount__c?: number | null }
declare const Order_Event__e: EventDefinition<OrderPayload, OrderInput>;
interface AccountChange { readonly Name: string | null }
declare const AccountChangeEvent: EventDefinition<AccountChange>;
declare const pubsub: PubSubClient;

describe('subscribe', () => {
  it('a generated event gives typed payloads; a topic name gives records', () => {
    expectTypeOf(pubsub.subscribe(Order_Event__e)).toEqualTypeOf<Subscription<OrderPayload>>();
    expectTypeOf(pubsub.subscribe('/event/Order_Event__e')).toEqualTypeOf<Subscription<Record<string, unknown>>>();
    expectTypeOf<Awaited<ReturnType<Subscription<OrderPayload>['next']>>['value']>().toEqualTypeOf<PubSubEvent<OrderPayload> | undefined>();
    expectTypeOf<PubSubEvent<OrderPayload>['replayId']>().toEqualTypeOf<string>();
  });

  it('replay options', () => {
    pubsub.subscribe(Order_Event__e, { replay: 'earliest' });
    pubsub.subscribe(Order_Event__e, { replay: { after: '12345' }, onInvalidReplayId: 'error' });
    pubsub.subscribe(Order_Event__e, { replay: { after: 12345n } });
    // @ts-expect-error 'middle' is no replay position
    pubsub.subscribe(Order_Event__e, { replay: 'middle' });
    // @ts-expect-error a number would lose precision: replay ids are bigint, bytes or decimal strings
    pubsub.subscribe(Order_Event__e, { replay: { after: 12345 } });
    // @ts-expect-error unknown policy
    pubsub.subscribe(Order_Event__e, { onInvalidReplayId: 'skip' });
  });
});

describe('publish', () => {
  it('takes the generated input type, plain or with an id', () => {
    void pubsub.publish(Order_Event__e, [{ Order_Number__c: 'A-1' }, { id: 'u-1', payload: { Order_Number__c: 'A-2', Amount__c: 3 } }]);
    // @ts-expect-error Order_Number__c is required
    void pubsub.publish(Order_Event__e, [{ Amount__c: 3 }]);
    // @ts-expect-error no such field on the event
    void pubsub.publish(Order_Event__e, [{ Order_Number__c: 'A', Nope__c: 1 }]);
    // @ts-expect-error wrong type
    void pubsub.publish(Order_Event__e, [{ Order_Number__c: 5 }]);
    // @ts-expect-error change events cannot be published (their input type is never)
    void pubsub.publish(AccountChangeEvent, [{ Name: 'x' }]);
  });

  it('results narrow on ok', () => {
    expectTypeOf(pubsub.publish(Order_Event__e, [])).resolves.toEqualTypeOf<PublishResult[]>();
    expectTypeOf(pubsub.publish(Order_Event__e, { Order_Number__c: 'A' })).resolves.toEqualTypeOf<PublishResult>();
    // @ts-expect-error Order_Number__c is required (single input)
    void pubsub.publish(Order_Event__e, { Amount__c: 1 });
    const r = {} as PublishResult;
    if (r.ok) expectTypeOf(r.replayId).toEqualTypeOf<string>();
    else expectTypeOf(r.error.retryable).toEqualTypeOf<boolean>();
  });
});
