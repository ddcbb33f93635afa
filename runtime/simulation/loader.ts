/**
 * Reads a metadata directory (the format DESIGN.md fixes) into memory:
 * `sobjects.json`, `sobjects/<Name>.json`, `events/<Name>.avsc`, `records/<Name>.json`.
 * Every failure names the file (and the line and column of bad JSON).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { jsonErrorPosition } from './errors.js';
import type { SimDescribe } from './store-types.js';

/** A metadata directory as loaded, before the store indexes it. */
export interface LoadedOrg {
  readonly dir: string;
  /** The body of `sobjects.json` (global describe), with its `sobjects` array. */
  readonly global: { readonly [key: string]: unknown; readonly sobjects: readonly Record<string, unknown>[] };
  readonly describes: readonly SimDescribe[];
  /** Avro schema JSON per event name (file name without `.avsc`). */
  readonly events: ReadonlyMap<string, unknown>;
  /** Seed records per sObject name, as written in the file (validated later by the store). */
  readonly records: ReadonlyMap<string, { readonly file: string; readonly records: readonly Record<string, unknown>[] }>;
}

/** A failure to load the metadata directory; the message names the file. */
export class MetadataLoadError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'MetadataLoadError';
    this.file = file;
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MetadataLoadError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const where = jsonErrorPosition(text, detail);
    throw new MetadataLoadError(
      where ? `${file}:${where.line}:${where.column}` : file,
      `invalid JSON (${detail})`,
    );
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MetadataLoadError(dir, `cannot list directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkDescribe(file: string, value: unknown): SimDescribe {
  if (!isObject(value)) throw new MetadataLoadError(file, 'expected a describe object');
  if (typeof value.name !== 'string' || value.name === '') throw new MetadataLoadError(file, 'describe has no "name"');
  if (!Array.isArray(value.fields)) throw new MetadataLoadError(file, `describe of ${value.name} has no "fields" array`);
  value.fields.forEach((f: unknown, i: number) => {
    if (!isObject(f) || typeof f.name !== 'string' || typeof f.type !== 'string') {
      throw new MetadataLoadError(file, `${value.name}.fields[${i}] lacks a string "name" or "type"`);
    }
  });
  if (value.childRelationships !== undefined && !Array.isArray(value.childRelationships)) {
    throw new MetadataLoadError(file, `describe of ${value.name} has a non-array "childRelationships"`);
  }
  return value as SimDescribe;
}

/** Load a metadata directory. Throws {@link MetadataLoadError} naming the file at fault. */
export async function loadMetadataDir(dir: string): Promise<LoadedOrg> {
  const root = path.resolve(dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new MetadataLoadError(root, 'metadata directory not found');

  const globalFile = path.join(root, 'sobjects.json');
  const global = await readJson(globalFile);
  if (!isObject(global) || !Array.isArray(global.sobjects)) {
    throw new MetadataLoadError(globalFile, 'expected the global describe: an object with a "sobjects" array');
  }
  global.sobjects.forEach((s: unknown, i: number) => {
    if (!isObject(s) || typeof s.name !== 'string') throw new MetadataLoadError(globalFile, `sobjects[${i}] has no "name"`);
  });

  const describes: SimDescribe[] = [];
  const describeDir = path.join(root, 'sobjects');
  for (const entry of await listDir(describeDir)) {
    if (!entry.endsWith('.json')) continue;
    const file = path.join(describeDir, entry);
    const d = checkDescribe(file, await readJson(file));
    const expected = entry.slice(0, -'.json'.length);
    if (d.name !== expected) throw new MetadataLoadError(file, `file name says ${expected} but the describe is of ${d.name}`);
    describes.push(d);
  }

  const events = new Map<string, unknown>();
  const eventDir = path.join(root, 'events');
  for (const entry of await listDir(eventDir)) {
    if (!entry.endsWith('.avsc')) continue;
    const file = path.join(eventDir, entry);
    const schema = await readJson(file);
    if (!isObject(schema) || schema.type !== 'record') throw new MetadataLoadError(file, 'expected an Avro record schema');
    events.set(entry.slice(0, -'.avsc'.length), schema);
  }

  const records = new Map<string, { file: string; records: Record<string, unknown>[] }>();
  const recordDir = path.join(root, 'records');
  for (const entry of await listDir(recordDir)) {
    if (!entry.endsWith('.json')) continue;
    const file = path.join(recordDir, entry);
    const body = await readJson(file);
    const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.records) ? body.records : undefined;
    if (list === undefined) throw new MetadataLoadError(file, 'expected an array of records (or an object with a "records" array)');
    list.forEach((r: unknown, i: number) => {
      if (!isObject(r)) throw new MetadataLoadError(file, `record [${i}] is not an object`);
    });
    records.set(entry.slice(0, -'.json'.length), { file, records: list as Record<string, unknown>[] });
  }

  return { dir: root, global: global as LoadedOrg['global'], describes, events, records };
}
