/** The rtc-room server as a library. No side effects: nothing listens until you call `listen`. */
export { createRtcServer, type RtcServer, type RtcServerOptions } from './app.js';
export { ConfigError, loadConfig, type Config } from './config.js';
export { createStaticIceProvider } from './ice/static.js';
export type { IceRequestContext, IceServerProvider, IceServersResult } from './ice/provider.js';
export { SignalingError } from './errors.js';
export * from './protocol.js';
