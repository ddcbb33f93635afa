/**
 * Change Data Capture: committed record writes (from the store) become change events on
 * `/data/<Object>ChangeEvent` with a `ChangeEventHeader` as Salesforce fills it.
 *
 * Payload: CREATE carries every non-null field; UPDATE only the changed fields (unchanged ones
 * are null, as in Pub/Sub API payloads); DELETE none. Compound fields (addresses, person names,
 * geolocations) are nested records built from their component fields.
 *
 * Bitmaps (`changedFields`, `nulledFields`, `diffFields`): `0x…` sets bit i for the top-level
 * schema field at position i; `<pos>-0x…` sets bits over the nested record of the compound field at
 * `pos`. Hex digits are upper case, padded to whole bytes. As in Salesforce's documented samples, a
 * compound field whose components changed is reported by its nested bitmap only (its top-level bit
 * is not set). `changedFields` is empty except for UPDATE.
 *
 * Data differences: an UPDATE of a text area field (plain or long; not rich text) whose new value
 * qualifies (see `text-diff.ts`: at least 1,000 characters, small change) carries a unified diff
 * of the value instead of the value, and the field is listed in `diffFields` as well as in
 * `changedFields`, as the Change Data Capture guide describes.
 */
import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import type { RecordChange } from '../store.js';
import type { SimDescribe } from '../store-types.js';
import { branchesOf, recordBranch, toAvroValue, type RegisteredSchema } from './schemas.js';
import { textDiff } from './text-diff.js';

/** Hex bitmap of bit positions: `0x` + upper-case hex padded to whole bytes. */
export function bitmapHex(positions: Iterable<number>): string {
  let v = 0n;
  for (const p of positions) v |= 1n << BigInt(p);
  let hex = v.toString(16).toUpperCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return `0x${hex}`;
}

/** Change-event topic name of an sObject: `Account` -> `AccountChangeEvent`, `X__c` -> `X__ChangeEvent`. */
export function changeEventName(sobject: string): string {
  return sobject.endsWith('__c') ? `${sobject.slice(0, -1)}ChangeEvent` : `${sobject}ChangeEvent`;
}

/** The sObject of a change event name (inverse of {@link changeEventName}). */
export function entityOfChangeEvent(eventName: string): string {
  const base = eventName.slice(0, -'ChangeEvent'.length);
  return base.endsWith('__') ? `${base}c` : base;
}

interface CompoundPlan {
  readonly pos: number;
  readonly name: string;
  readonly record: avro.types.RecordType;
  /** Whether the field may also be a plain string (`Name` of a business account). */
  readonly allowsString: boolean;
  /** Nested field name -> the record's component field (`City` -> `BillingCity`). */
  readonly components: readonly (readonly [nested: string, component: string | undefined])[];
}

interface FieldPlan {
  readonly pos: number;
  readonly name: string;
  readonly type: avro.Type;
  readonly compound?: CompoundPlan;
  /** A text area whose updates may be sent as diffs. */
  readonly diffable?: boolean;
}

/** Per transaction: key, commit number, timestamp. */
export interface CommitInfo {
  readonly transactionKey: string;
  readonly commitNumber: number;
  readonly commitTimestamp: number;
  readonly changeOrigin: string;
}

/** A fresh transaction key in Salesforce's shape (`0002343d-9d90-e395-ed20-cf416ba652ad`). */
export function transactionKey(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Builds the change events of one sObject for one schema. */
export class ChangeEventBuilder {
  private readonly plans: FieldPlan[];

  constructor(
    readonly schema: RegisteredSchema,
    describe: SimDescribe | undefined,
  ) {
    const fields = describe?.fields ?? [];
    this.plans = schema.fields.slice(1).map((f, i) => {
      const pos = i + 1;
      const record = recordBranch(f.type);
      if (record === undefined) {
        const d = fields.find((x) => x.name === f.name);
        const diffable = d?.type === 'textarea' && d.extraTypeInfo !== 'richtextarea' && branchesOf(f.type).some((b) => b.typeName === 'string');
        return { pos, name: f.name, type: f.type, diffable };
      }
      const parts = fields.filter((x) => x.compoundFieldName === f.name).map((x) => x.name);
      const stem = f.name.endsWith('Address') ? f.name.slice(0, -'Address'.length) : f.name.replace(/__c$/, '__');
      const components = record.fields.map((nf) => {
        const exact = parts.find((p) => p === `${stem}${nf.name}` || p === `${stem}${nf.name}__s` || p === nf.name);
        return [nf.name, exact ?? parts.find((p) => p.endsWith(nf.name) || p.endsWith(`${nf.name}__s`))] as const;
      });
      const allowsString = branchesOf(f.type).some((b) => b.typeName === 'string');
      return { pos, name: f.name, type: f.type, compound: { pos, name: f.name, record, allowsString, components } };
    });
  }

  /** The Avro payload of a change (header included). */
  payload(change: RecordChange, commit: CommitInfo, sequenceNumber: number): Record<string, unknown> {
    const changed = new Set(change.changed);
    const out: Record<string, unknown> = {};
    const changedBits: number[] = [];
    const nulledBits: number[] = [];
    const diffBits: number[] = [];
    const nestedChanged: string[] = [];
    const nestedNulled: string[] = [];
    const r = change.record;
    for (const p of this.plans) {
      out[p.name] = null;
      if (change.kind === 'DELETE') continue;
      const where = `${change.sobject}.${p.name}`;
      if (p.compound !== undefined) {
        const c = p.compound;
        const whole = r[p.name];
        if (c.allowsString && typeof whole === 'string') {
          if (change.kind === 'CREATE' || changed.has(p.name)) {
            out[p.name] = whole;
            if (change.kind === 'UPDATE') changedBits.push(p.pos);
          }
          continue;
        }
        const nested: Record<string, unknown> = {};
        const bitsC: number[] = [];
        const bitsN: number[] = [];
        let any = false;
        c.components.forEach(([nestedName, component], i) => {
          const nf = c.record.fields[i]!;
          nested[nestedName] = null;
          if (component === undefined) return;
          const v = r[component];
          if (change.kind === 'CREATE') {
            if (v !== null && v !== undefined) {
              nested[nestedName] = toAvroValue(nf.type, v, `${where}.${nestedName}`);
              any = true;
            }
          } else if (changed.has(component)) {
            bitsC.push(i);
            if (v === null || v === undefined) bitsN.push(i);
            else nested[nestedName] = toAvroValue(nf.type, v, `${where}.${nestedName}`);
            any = true;
          }
        });
        if (any) out[p.name] = nested;
        if (bitsC.length > 0) nestedChanged.push(`${p.pos}-${bitmapHex(bitsC)}`);
        if (bitsN.length > 0) nestedNulled.push(`${p.pos}-${bitmapHex(bitsN)}`);
        continue;
      }
      const v = r[p.name];
      if (change.kind === 'CREATE') {
        if (v !== null && v !== undefined) out[p.name] = toAvroValue(p.type, v, where);
      } else if (changed.has(p.name)) {
        changedBits.push(p.pos);
        const old = change.before?.[p.name];
        const diff = p.diffable && typeof v === 'string' && typeof old === 'string' ? textDiff(old, v) : undefined;
        if (v === null || v === undefined) nulledBits.push(p.pos);
        else if (diff !== undefined) {
          out[p.name] = toAvroValue(p.type, diff, where);
          diffBits.push(p.pos);
        } else out[p.name] = toAvroValue(p.type, v, where);
      }
    }
    const update = change.kind === 'UPDATE';
    out[this.schema.fields[0]!.name] = {
      entityName: change.sobject,
      recordIds: [change.id],
      changeType: change.kind === 'EVENT' ? 'CREATE' : change.kind,
      changeOrigin: commit.changeOrigin,
      transactionKey: commit.transactionKey,
      sequenceNumber,
      commitTimestamp: commit.commitTimestamp,
      commitNumber: commit.commitNumber,
      commitUser: change.userId,
      nulledFields: update && (nulledBits.length > 0 || nestedNulled.length > 0) ? [...(nulledBits.length > 0 ? [bitmapHex(nulledBits)] : []), ...nestedNulled] : [],
      diffFields: update && diffBits.length > 0 ? [bitmapHex(diffBits)] : [],
      changedFields: update && (changedBits.length > 0 || nestedChanged.length > 0) ? [...(changedBits.length > 0 ? [bitmapHex(changedBits)] : []), ...nestedChanged] : [],
    };
    return out;
  }

  encode(change: RecordChange, commit: CommitInfo, sequenceNumber: number): Buffer {
    return this.schema.type.toBuffer(this.payload(change, commit, sequenceNumber));
  }
}
