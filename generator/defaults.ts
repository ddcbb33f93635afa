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
