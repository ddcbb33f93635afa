/**
 * A model that cannot be emitted as valid TypeScript. Names the location (`Account.Industry`).
 *
 * @example
 * ```ts
 * throw new EmitError('Object API name is not an identifier', 'Bad-Name');
 * ```
 */
export class EmitError extends Error {
  override readonly name = 'EmitError';
  readonly code = 'EMIT_FAILED';
  constructor(
    message: string,
    readonly location: string,
  ) {
    super(message);
  }
}
