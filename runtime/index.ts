/**
 * sfgen runtime: what generated code and applications import at run time.
 * Heavy parts (simulator, bulk, pubsub, replay) live behind their own subpath exports.
 */
export * from './schema.js';
