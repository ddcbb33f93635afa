/**
 * Salesforce record ids: 15-char case-sensitive ids and their 18-char case-safe form.
 * The 3 suffix characters encode, for each 5-char chunk, which characters are upper case.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_BODY = /^[a-zA-Z0-9]{15}$/;

/** The 3-char case-safe suffix of a 15-char id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/**
 * The 18-char form of a 15- or 18-char id, or `undefined` when the text is not a well-formed id
 * (wrong length, characters outside `[a-zA-Z0-9]`, or an 18-char id whose suffix does not match).
 */
export function toId18(id: string): string | undefined {
  if (id.length === 15) return ID_BODY.test(id) ? id + caseSafeSuffix(id) : undefined;
  if (id.length === 18) {
    const body = id.slice(0, 15);
    if (!ID_BODY.test(body)) return undefined;
    // Salesforce accepts the suffix in any case (it is case-insensitive by design).
    return id.slice(15).toUpperCase() === caseSafeSuffix(body) ? body + caseSafeSuffix(body) : undefined;
  }
  return undefined;
}

/** Whether the text has the shape of an id (15 or 18 alphanumerics), checksum not verified. */
export function looksLikeId(text: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(text);
}

/** Base-62 digits of a non-negative integer, left-padded with `0` to `width`. */
export function base62(n: number, width: number): string {
  let out = '';
  let v = Math.floor(n);
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  if (out.length > width) throw new RangeError(`id counter ${n} does not fit in ${width} base-62 digits`);
  return out.padStart(width, '0');
}

/**
 * Deterministic id minting: `<keyPrefix><pod 2><0><counter 9>` plus the case-safe suffix.
 * `taken` lets the caller skip ids already used by seed records.
 */
export class IdMinter {
  private readonly counters = new Map<string, number>();

  constructor(private readonly pod = 'Sm') {}

  /** Whether an id has the shape minted ids have (`<prefix>Sm0...`), so it could collide with one. */
  static inSpace(id: string, pod = 'Sm'): boolean {
    return id.startsWith(`${pod}0`, 3);
  }

  next(keyPrefix: string, taken: (id18: string) => boolean): string {
    if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new Error(`invalid key prefix "${keyPrefix}"`);
    let n = this.counters.get(keyPrefix) ?? 0;
    for (;;) {
      n += 1;
      const id15 = `${keyPrefix}${this.pod}0${base62(n, 9)}`;
      const id18 = id15 + caseSafeSuffix(id15);
      if (!taken(id18)) {
        this.counters.set(keyPrefix, n);
        return id18;
      }
    }
  }
}
