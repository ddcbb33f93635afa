export { Cassette, DEFAULT_MATCH_HEADERS, STABLE_TIMESTAMP } from './cassette.js';
export type { CassetteFile, Interaction, RecordedRequest, RecordedResponse, ReplayMode, ReplayOptions } from './cassette.js';
