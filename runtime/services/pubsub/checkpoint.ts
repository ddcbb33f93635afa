/**
 * Checkpoints: where a subscription keeps the replay id of the last event the application finished
 * with, so that a restarted process resumes right after it. Pluggable (a database row, Redis, ...);
 * the default is a JSON file written atomically (a temporary file renamed over the old one, so a
 * crash never leaves a torn file).
 *
 * @example
 * ```ts
 * const store = new FileCheckpointStore('.sfgen/checkpoints.json');
 * for await (const e of pubsub.subscribe(OrderEvent, { replay: 'earliest', checkpoint: { store } })) handle(e);
 * ```
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A store of replay ids by key (the printable form, see `formatReplayId`). */
export interface CheckpointStore {
  /** The stored replay id for `key`, or `undefined` when none. */
  load(key: string): Promise<string | undefined>;
  /** Stores `replayId` for `key`; resolves once it is durable. */
  save(key: string, replayId: string): Promise<void>;
}

/** Keeps checkpoints in memory (tests; a process that needs no restart). */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly values = new Map<string, string>();
  async load(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async save(key: string, replayId: string): Promise<void> {
    this.values.set(key, replayId);
  }
}

/**
 * Checkpoints in one JSON file (`{ "<key>": "<replayId>" }`), written atomically. Several
 * subscriptions of one process may share a file; writes are serialized.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly path: string;
  #values: Map<string, string> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #seq = 0;

  constructor(path: string) {
    this.path = path;
  }

  async #read(): Promise<Map<string, string>> {
    if (this.#values) return this.#values;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.#values = new Map());
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`checkpoint file ${this.path} is not JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`checkpoint file ${this.path} must hold a JSON object of replay ids`);
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') values.set(k, v);
    return (this.#values = values);
  }

  async load(key: string): Promise<string | undefined> {
    return (await this.#read()).get(key);
  }

  save(key: string, replayId: string): Promise<void> {
    const write = this.#writing.then(async () => {
      const values = await this.#read();
      values.set(key, replayId);
      const body = `${JSON.stringify(Object.fromEntries([...values].sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`;
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.${++this.#seq}.tmp`;
      await writeFile(tmp, body, { flush: true });
      await rename(tmp, this.path);
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
