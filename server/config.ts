import { z } from 'zod';
import type { IceServer } from './protocol.js';

/** A bad environment variable: the message names it and says what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const MAX_ROOM_CAPACITY = 8;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly roomCapacity: number;
  readonly iceServers: readonly IceServer[];
  readonly logLevel: string;
}

const iceUrl = z.string().regex(/^(stun|stuns|turn|turns):\S+$/, 'a stun:, stuns:, turn: or turns: URL');

/** An RTCIceServer as configured: always `urls` (the removed `url` key is refused). */
export const iceServerSchema = z
  .object({
    urls: z.union([iceUrl, z.array(iceUrl).min(1)]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .strict();

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got '${value}')`);
  }
  return n;
}

function iceServers(value: string | undefined): IceServer[] {
  if (value === undefined || value.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ConfigError('ICE_SERVERS must be a JSON array of RTCIceServer objects, e.g. [{"urls":"stun:stun.example.com:3478"}]');
  }
  if (Array.isArray(json) && json.some((s) => s && typeof s === 'object' && 'url' in s)) {
    throw new ConfigError("ICE_SERVERS: 'url' was removed from WebRTC; use 'urls'");
  }
  const parsed = z.array(iceServerSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`ICE_SERVERS[${issue.path.join('.')}]: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads the server's configuration from environment variables (the names are public API). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got '${logLevel}')`);
  }
  return Object.freeze({
    port: integer('PORT', env.PORT, 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    roomCapacity: integer('ROOM_CAPACITY', env.ROOM_CAPACITY, 2, 2, MAX_ROOM_CAPACITY),
    iceServers: Object.freeze(iceServers(env.ICE_SERVERS)),
    logLevel,
  });
}
