export { createHttpTransport, DEFAULT_TRANSPORT, toNetworkError } from './http.js';
export type { HttpTransport, TransportOptions } from './http.js';
export { assertSecureUrl, isLoopbackHost } from './security.js';
export { compose, isReplayableBody } from './types.js';
export type { Dispatch, HttpMethod, Interceptor, SfRequest, SfResponse } from './types.js';
