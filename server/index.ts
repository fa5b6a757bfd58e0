/** The rtc-room server as a library. No side effects: nothing listens until you call `listen`. */
export { createRtcServer, DEMO_CSP_DIRECTIVES, MAX_MESSAGE_BYTES, type RtcServer, type RtcServerOptions } from './app.js';
export {
  createAccessTokenVerifier,
  mintAccessToken,
  roomGranted,
  type AccessGrant,
  type AccessTokenKeys,
  type AccessTokenVerifier,
  type MintAccessTokenOptions,
} from './auth/access-tokens.js';
export { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_RATE_LIMITS, type LimitedEvent, type RateLimit, type RateLimits } from './limits.js';
export type { SignalingCounters } from './signaling/index.js';
export { ConfigError, loadConfig, type Config, type IceSource, type TurnRestSettings, type TwilioCredentials } from './config.js';
export { createStaticIceProvider } from './ice/static.js';
export { createIceProvider, type IceSourceOptions } from './ice/select.js';
export { createTurnRestIceProvider, turnRestCredential, turnRestUsername, type TurnRestIceProviderOptions } from './ice/turn-rest.js';
export { createTwilioIceProvider, mapTwilioIceServers, type TwilioIceProviderOptions } from './ice/twilio.js';
export type { IceProviderHealth, IceRequestContext, IceServerProvider, IceServersResult } from './ice/provider.js';
export { SignalingError } from './errors.js';
export type { Admission, Member, RoomStore } from './rooms/store.js';
export type { RedisOptions } from './rooms/redis/store.js';
export * from '../protocol/index.js';
export { createMetrics, type RtcMetrics } from './metrics.js';
