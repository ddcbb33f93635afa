export { Cassette, DEFAULT_MATCH_HEADERS } from './cassette.js';
export type { CassetteFile, Interaction, RecordedRequest, RecordedResponse, ReplayMode, ReplayOptions } from './cassette.js';
