/**
 * The link from a `SalesforceClient` to its composed dispatch, for services that live behind their
 * own subpath (`sfgen/bulk`): they reuse the client's whole stack (auth, retry, breaker, limits,
 * record/replay) without the client importing them. Not part of the public API.
 */
import type { RestContext } from './rest.js';

const contexts = new WeakMap<object, RestContext>();

/** @internal called by `createClient`. */
export function registerContext(client: object, context: RestContext): void {
  contexts.set(client, context);
}

/** @internal the REST context of a client made by `createClient`, or undefined for anything else. */
export function contextOf(client: object): RestContext | undefined {
  return contexts.get(client);
}
