import type { Logger } from 'pino';
import type { TurnRestSettings, TwilioCredentials } from '../options.js';
import type { IceServer } from '../../protocol/index.js';
import type { IceServerProvider } from './provider.js';
import { createStaticIceProvider } from './static.js';
import { createTurnRestIceProvider } from './turn-rest.js';
import { createTwilioIceProvider, type TwilioIceProviderOptions } from './twilio.js';

export interface IceSourceOptions {
  /** The static list: served as is, as Twilio's fallback, and alongside TURN REST credentials. */
  iceServers?: readonly IceServer[];
  /** Twilio Network Traversal Service credentials (wins over `turn`; setting both is an error). */
  twilio?: TwilioCredentials & { httpClient?: TwilioIceProviderOptions['httpClient'] };
  /** TURN REST (coturn `use-auth-secret`) URLs and secrets. */
  turn?: TurnRestSettings;
  /** Credential lifetime in seconds, for Twilio and TURN REST. @default 3600 */
  iceTtl?: number;
}

/** Picks the provider: Twilio when its credentials are given, else TURN REST, else the static list. */
export function createIceProvider(options: IceSourceOptions, logger: Logger): IceServerProvider {
  const iceServers = [...(options.iceServers ?? [])];
  if (options.twilio && options.turn) throw new Error('createRtcServer: give either `twilio` or `turn`, not both');
  if (options.twilio) {
    return createTwilioIceProvider({ ...options.twilio, ttlSeconds: options.iceTtl, fallback: iceServers, logger });
  }
  if (options.turn) {
    return createTurnRestIceProvider({
      urls: [...options.turn.urls],
      secrets: [...options.turn.secrets],
      ttlSeconds: options.iceTtl,
      extra: iceServers,
    });
  }
  return createStaticIceProvider(iceServers);
}
