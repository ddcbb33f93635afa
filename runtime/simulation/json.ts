/**
 * Pre-serialized JSON: large bodies that are served again and again (describes) are stringified
 * once and spliced into responses, including composite and batch envelopes.
 */

/** JSON text standing in for a value in a response body. */
export class RawJson {
  constructor(readonly text: string) {}

  /** The value, parsed (for composite `@{ref.path}` lookups). */
  value(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

const cache = new WeakMap<object, RawJson>();

/** The serialized form of an immutable object, computed once per object identity. */
export function cachedJson(value: object): RawJson {
  let raw = cache.get(value);
  if (raw === undefined) {
    raw = new RawJson(JSON.stringify(value));
    cache.set(value, raw);
  }
  return raw;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Serialize a response body in which {@link RawJson} values may appear in the top `depth` levels
 * (composite and batch envelopes); deeper values go to `JSON.stringify` unchanged.
 */
export function toJson(value: unknown, depth = 4): string {
  if (value instanceof RawJson) return value.text;
  if (depth > 0 && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v, depth - 1))).join(',')}]`;
    if (isPlainObject(value)) {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v, depth - 1)}`);
      return `{${parts.join(',')}}`;
    }
  }
  return JSON.stringify(value) ?? 'null';
}
