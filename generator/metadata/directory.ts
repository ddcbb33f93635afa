/**
 * The metadata-directory source (`--metadata-dir`): describes saved as Salesforce returned them.
 *
 * ```
 * <dir>/sobjects.json            global describe
 * <dir>/sobjects/<Name>.json     per-object describe
 * <dir>/events/<Name>.avsc       Avro schema of an event
 * ```
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MetadataError } from './errors.js';
import { parseJsonText } from './json.js';
import {
  RawGlobalDescribeSchema,
  RawSObjectDescribeSchema,
  parseRaw,
  type DescribedSObject,
  type RawEventSchema,
  type RawGlobalDescribe,
} from './raw.js';
import type { ConditionalDescribe, DescribeProgress, EventSchemaOptions, MetadataSource } from './source.js';
import { eventTopics } from './events.js';

/** How many files are read at once. */
const FILE_CONCURRENCY = 16;

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MetadataError('MISSING_FILE', `Missing file ${file} (${what})`, file, { cause: error });
    throw new MetadataError('MISSING_FILE', `Cannot read ${file} (${what}): ${(error as Error).message}`, file, { cause: error });
  }
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of `items`. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Reads every `*.avsc` in a directory (sorted by name). A missing directory yields nothing unless
 * `required`.
 *
 * @example
 * ```ts
 * const schemas = await readEventSchemas('test/fixtures/demo-org/events', true);
 * ```
 */
export async function readEventSchemas(eventsDir: string, required: boolean): Promise<RawEventSchema[]> {
  let entries: string[];
  try {
    entries = await readdir(eventsDir);
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MetadataError('MISSING_FILE', `Cannot read the events directory ${eventsDir}: ${(error as Error).message}`, eventsDir, { cause: error });
  }
  const files = entries.filter((e) => e.endsWith('.avsc')).sort();
  return mapBounded(files, FILE_CONCURRENCY, async (entry) => {
    const file = path.join(eventsDir, entry);
    const schema = parseJsonText(await readText(file, 'an event schema'), file);
    return { name: entry.slice(0, -'.avsc'.length), schema, origin: file };
  });
}

/**
 * Reads metadata from a directory in the format above (a directory saved from a real org is valid).
 *
 * @example
 * ```ts
 * const source = new DirectorySource('test/fixtures/demo-org');
 * const [account] = await source.describeSObjects(['Account']);
 * ```
 */
export class DirectorySource implements MetadataSource {
  readonly description: string;
  readonly hasEvents = true;

  constructor(
    readonly dir: string,
    readonly apiVersion = '60.0',
  ) {
    this.description = `metadata directory ${dir}`;
  }

  private async ensureDir(): Promise<void> {
    let info;
    try {
      info = await stat(this.dir);
    } catch (error) {
      throw new MetadataError('MISSING_FILE', `Metadata directory ${this.dir} does not exist`, this.dir, { cause: error });
    }
    if (!info.isDirectory()) throw new MetadataError('MISSING_FILE', `Metadata directory ${this.dir} is not a directory`, this.dir);
  }

  async describeGlobal(): Promise<RawGlobalDescribe> {
    await this.ensureDir();
    const file = path.join(this.dir, 'sobjects.json');
    const text = await readText(file, 'the global describe');
    return parseRaw(RawGlobalDescribeSchema, parseJsonText(text, file), file, null);
  }

  async describeSObjects(names: readonly string[], onProgress?: DescribeProgress): Promise<DescribedSObject[]> {
    let done = 0;
    return mapBounded(names, FILE_CONCURRENCY, async (name) => {
      const described = await this.readDescribe(name);
      onProgress?.(++done, names.length);
      return described;
    });
  }

  private async readDescribe(name: string): Promise<DescribedSObject> {
    const file = path.join(this.dir, 'sobjects', `${name}.json`);
    const text = await readText(file, `the describe of ${name}`);
    const describe = parseRaw(RawSObjectDescribeSchema, parseJsonText(text, file), file, name);
    if (describe.name !== name) {
      throw new MetadataError(
        'MALFORMED_DESCRIBE',
        `Malformed describe in ${file}: ${name}.name: the file describes '${describe.name}', expected '${name}'`,
        file,
      );
    }
    return { name, describe, origin: file, lastModified: null };
  }

  /** A directory has no modification dates sfgen can trust across checkouts: everything counts as modified. */
  async describeIfModified(since: ReadonlyMap<string, string>, onProgress?: DescribeProgress): Promise<ConditionalDescribe[]> {
    const described = await this.describeSObjects([...since.keys()], onProgress);
    return described.map((d) => ({ name: d.name, status: 'modified' as const, described: d }));
  }

  readonly eventNotes: readonly string[] = [];

  /**
   * The `events/*.avsc` files. With an `objects` selection, only the selected events and the change
   * events of selected objects (as a live org lists them).
   */
  async eventSchemas(options: EventSchemaOptions = {}): Promise<RawEventSchema[]> {
    const all = await readEventSchemas(path.join(this.dir, 'events'), false);
    const objects = options.objects ?? 'all';
    if (objects === 'all') return all;
    const selected = new Set(eventTopics(await this.describeGlobal(), objects).map((t) => t.name));
    return all.filter((e) => selected.has(e.name));
  }

  async orgId(): Promise<string | null> {
    return null;
  }

  requestCount(): number {
    return 0;
  }
}
