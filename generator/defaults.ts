/** Defaults of the generator's configuration (apart from config.ts so that commands can read them without loading zod). */

/** Default output directory. */
export const DEFAULT_OUT_DIR = 'generated';
/**
 * The API version assumed for a metadata directory whose describes do not say theirs (they
 * normally do: every describe's `urls` name it). Live orgs default to the newest version they serve.
 */
export const DEFAULT_API_VERSION = '60.0';
/** Default runtime module specifier. */
export const DEFAULT_RUNTIME_IMPORT = 'sfgen/runtime';
/** Where generated sObject modules import their zod validators from, with the default runtime import. */
export const DEFAULT_VALIDATION_IMPORT = 'sfgen/validation';

/**
 * The module generated sObject modules import `recordValidator` from: `sfgen/validation` beside the
 * default `sfgen/runtime` (which does not load zod, so an events-only application never does), and
 * a custom `runtimeImport` itself (that module re-exports `sfgen/validation` too).
 */
export function validationImportFor(runtimeImport: string): string {
  return runtimeImport === DEFAULT_RUNTIME_IMPORT ? DEFAULT_VALIDATION_IMPORT : runtimeImport;
}
