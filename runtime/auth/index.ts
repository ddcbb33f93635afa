export { staticToken, jwtBearer, refreshToken, clientCredentials, sfCliAlias, tokenFromResponse, DEFAULT_LOGIN_URL } from './providers.js';
export type { StaticTokenOptions, JwtBearerOptions, RefreshTokenOptions, ClientCredentialsOptions, SfCliAliasOptions } from './providers.js';
export { TokenManager } from './token-manager.js';
export type { TokenManagerOptions } from './token-manager.js';
export { authInterceptor, isInvalidSession } from './interceptor.js';
export { SecretRegistry, REDACTED } from './secrets.js';
export type { AuthContext, AuthProvider, TokenInfo } from './types.js';
