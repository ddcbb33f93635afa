/**
 * A describe that validates as JSON but makes no sense as metadata (an unknown field type, a bad
 * `validFor`). Names the location (`Account.Industry`) and the origin (file or request).
 *
 * @example
 * ```ts
 * throw new ModelError('Unknown field type \'vector\' at Account.Embedding__c', 'Account.Embedding__c', 'sobjects/Account.json');
 * ```
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code = 'INVALID_METADATA';
  constructor(
    message: string,
    readonly location: string,
    readonly origin: string,
  ) {
    super(`${message} (in ${origin})`);
  }
}
