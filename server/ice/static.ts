import type { IceServer } from '../../protocol/index.js';
import type { IceServerProvider } from './provider.js';

/** The embedded default: a fixed list (empty by default: host candidates only). */
export function createStaticIceProvider(iceServers: readonly IceServer[] = []): IceServerProvider {
  const frozen = iceServers.map((s) => ({ ...s }));
  return {
    name: 'static',
    async getIceServers() {
      return { iceServers: frozen.map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls })), expiresAt: null };
    },
  };
}
