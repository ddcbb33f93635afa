/**
 * A registry of secret values (access tokens, refresh tokens, client secrets, assertions) that the
 * client has seen. Anything written out (recordings, error bodies) passes through `redact()`.
 */
export const REDACTED = '[REDACTED]';

export class SecretRegistry {
  readonly #values = new Set<string>();

  /** Remembers a secret; values shorter than 8 characters are ignored (too likely to be ordinary text). */
  add(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8) this.#values.add(value);
  }

  /** Replaces every known secret in `text`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#values) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }

  get size(): number {
    return this.#values.size;
  }
}
