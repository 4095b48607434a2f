/** The REST client: limiter, auth, batching, retries and transport (issue 3). */
export { createRestClient } from './client.js';
export type { CallOptions, ListOptions, RestClient, RestClientOptions } from './client.js';
export type { OAuthApp } from './auth.js';
export {
  B24ApiError, B24AuthError, B24BadResponseError, B24HostRefusedError, B24OperationTimeLimitError, B24PortalUnknownError,
  B24QueryLimitError, B24ReinstallRequiredError, B24TimeoutError, B24TransportError, isExpiredToken,
} from './errors.js';
export type { ApiErrorDetails, RestFailure } from './errors.js';
export { isBatchable, MAX_BATCH } from './batch.js';
export { idempotencyMarker, isRetrySafe } from './retry.js';
export type { RetryOptions } from './retry.js';
export { clientBurst, parseRateLimit } from './limiter.js';
export type { BucketKind } from './limiter.js';
export { callBot } from './methods.js';
export type { BotMethod, BotMethods, V2BotRef, V2MessageFields } from './methods.js';
export type { RestResponse, RestTime, TransportTimeouts } from './transport.js';
