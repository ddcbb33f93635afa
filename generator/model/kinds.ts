/** Object kinds and namespaces, from `associateEntityType`, flags and the name's suffix. */
import type { ObjectKind } from './types.js';

/**
 * Classifies an sObject. `associateEntityType` wins for companions (History, Share, Feed,
 * ChangeEvent); then the flags and the suffix, read from the right.
 *
 * @example
 * ```ts
 * classifyObject({ name: 'acme__Widget__c', custom: true }); // 'custom'
 * classifyObject({ name: 'AccountHistory', associateEntityType: 'History' }); // 'history'
 * ```
 */
export function classifyObject(o: {
  readonly name: string;
  readonly custom?: boolean | undefined;
  readonly customSetting?: boolean | undefined;
  readonly associateEntityType?: string | null | undefined;
}): ObjectKind {
  switch (o.associateEntityType) {
    case 'History':
      return 'history';
    case 'Share':
      return 'share';
    case 'Feed':
      return 'feed';
    case 'ChangeEvent':
      return 'changeEvent';
    default:
      break;
  }
  const name = o.name;
  if (name.endsWith('__e')) return 'platformEvent';
  if (name.endsWith('ChangeEvent')) return 'changeEvent';
  if (name.endsWith('__mdt')) return 'customMetadata';
  if (name.endsWith('__x')) return 'externalObject';
  if (name.endsWith('__b')) return 'bigObject';
  if (name.endsWith('__History')) return 'history';
  if (name.endsWith('__Share')) return 'share';
  if (name.endsWith('__Feed')) return 'feed';
  if (o.customSetting === true) return 'customSetting';
  if (name.endsWith('__c') || o.custom === true) return 'custom';
  return 'standard';
}

/**
 * The namespace prefix of an object API name (`acme` for `acme__Widget__c`), or null. Parsed from
 * the right: `ns__Name__suffix` has three `__`-separated parts, `Name__suffix` two.
 */
export function objectNamespace(name: string): string | null {
  const parts = name.split('__');
  return parts.length >= 3 && parts[0] !== '' ? (parts[0] as string) : null;
}
