import type { Logger } from 'pino';
// Only the types at load: the SDK itself (about 230 ms and 29 MB) is imported on the first token request.
import type twilio from 'twilio';
import type { IceServer } from '../../protocol/index.js';
import type { IceProviderHealth, IceServerProvider, IceServersResult } from './provider.js';
import { backoffDelay } from '../backoff.js';

/** What the twilio SDK hands its `httpClient` (the arguments of its `RequestClient.request`). */
export interface TwilioHttpRequest {
  method: string;
  /** Absolute, e.g. `https://api.twilio.com/2010-04-01/Accounts/AC…/Tokens.json`. */
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: object;
  /** Form fields (`{ Ttl: 3600 }`), still to be encoded. */
  data?: unknown;
  timeout?: number;
  allowRedirects?: boolean;
  [option: string]: unknown;
}

/** What the SDK expects back (twilio's `Response`); a string body is JSON-parsed by the SDK. */
export interface TwilioHttpResponse {
  statusCode: number;
  body: unknown;
  headers: unknown;
}

/** Anything shaped like twilio's `RequestClient` (including `new twilio.RequestClient(…)`). */
export interface TwilioHttpClient {
  request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse>;
}

export interface TwilioIceProviderOptions {
  /** `AC…`: the account whose Tokens resource is used (also with API keys). */
  accountSid: string;
  /** Auth with the account's auth token… */
  authToken?: string;
  /** …or with an API key (`SK…`) and its secret; wins over `authToken` when both are given. */
  apiKeySid?: string;
  apiKeySecret?: string;
  /** Requested token lifetime in seconds. @default 3600 */
  ttlSeconds?: number;
  /** Twilio edge (`dublin`) and region (`ie1`) for the API request. */
  edge?: string;
  region?: string;
  /** Served (with `degraded: true`) while Twilio fails. */
  fallback: readonly IceServer[];
  logger: Logger;
  /** Transport for the SDK (tests send it to a local stand-in). @default twilio's RequestClient */
  httpClient?: TwilioHttpClient;
  /** Clock, Unix ms. @default Date.now */
  now?: () => number;
  /** Give up on a Tokens request after this long. @default 5000 */
  requestTimeoutMs?: number;
  /** Wait between failed attempts: doubles from `initialMs` up to `maxMs`. @default 1 s .. 5 min */
  backoff?: { initialMs: number; maxMs: number };
}

/** An entry of a Tokens resource's `ice_servers` (both spellings of the URL field). */
export interface TwilioRawIceServer {
  url?: string | null;
  urls?: string | string[] | null;
  username?: string | null;
  credential?: string | null;
}

const TURN = /^turns?:/i;

/**
 * Twilio's `ice_servers` to W3C `RTCIceServer`s: `urls` (or `url` only when `urls` is missing; `url`
 * itself is never passed on), and `username`/`credential` only on `turn:`/`turns:` entries.
 */
export function mapTwilioIceServers(raw: readonly TwilioRawIceServer[] | null | undefined): IceServer[] {
  const out: IceServer[] = [];
  for (const entry of raw ?? []) {
    const source = entry.urls ?? entry.url;
    const urls = Array.isArray(source) ? source.filter((u) => typeof u === 'string' && u !== '') : source;
    if (!urls || urls.length === 0) continue;
    const server: IceServer = { urls: Array.isArray(urls) ? [...urls] : urls };
    const isTurn = (Array.isArray(urls) ? urls : [urls]).some((u) => TURN.test(u));
    if (isTurn && typeof entry.username === 'string') server.username = entry.username;
    if (isTurn && typeof entry.credential === 'string') server.credential = entry.credential;
    out.push(server);
  }
  return out;
}

/** Twilio's string `ttl` in seconds, or `fallback` when it is not a positive number. */
function parseTtl(ttl: unknown, fallback: number): number {
  const seconds = typeof ttl === 'number' ? ttl : Number.parseInt(String(ttl ?? ''), 10);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

interface Token {
  iceServers: IceServer[];
  /** When the request was sent (conservative base for both times below). */
  sentAt: number;
  /** Past this, less than half of the token's life remains: refresh in the background. */
  refreshAt: number;
  expiresAt: number;
}

interface Failure {
  message: string;
  auth: boolean;
}

interface Flight {
  promise: Promise<Failure | null>;
  /** verify() takes over reporting this flight's failure (its caller logs the message). */
  quiet: boolean;
}

class TimeoutError extends Error {}

function copy(servers: readonly IceServer[]): IceServer[] {
  return servers.map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }));
}

/** A failure, described for operators: status, Twilio error code and message, never credentials. */
function describe(error: unknown, timeoutMs: number): Failure {
  if (error instanceof TimeoutError) return { message: `no answer within ${timeoutMs} ms`, auth: false };
  const e = error as { status?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (e && typeof e.status === 'number') {
    // twilio's RestException / TwilioServiceException: an HTTP answer from Twilio.
    const code = typeof e.code === 'number' && e.code !== 0 ? e.code : undefined;
    const text = typeof e.message === 'string' && !e.message.startsWith('[HTTP') ? e.message : undefined;
    const detail = [code && `Twilio error ${code}`, text].filter(Boolean).join(': ');
    return { message: `HTTP ${e.status}${detail ? `, ${detail}` : ''}`, auth: e.status === 401 || code === 20003 };
  }
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return { message: `network error ${code}`, auth: false };
  const text = e && typeof e.message === 'string' ? e.message : String(error);
  return { message: `request failed: ${text.slice(0, 200)}`, auth: false };
}

function duration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * ICE servers from Twilio's Network Traversal Service (`POST /Accounts/{sid}/Tokens.json`).
 *
 * - One token serves every join while more than half of its life remains; past that (but still
 *   valid) it is served at once and a fresh one is fetched in the background. Concurrent callers
 *   share one in-flight request.
 * - When Twilio fails (timeout, 401, 429, 5xx, network), joins without a valid token get `fallback`
 *   with `degraded: true`. Attempts back off exponentially (`backoff.initialMs` doubling to
 *   `backoff.maxMs`; wrong credentials wait `maxMs` at once). Retry strategy: no background timer;
 *   the first join after the backoff window makes the next attempt, so an idle server never calls
 *   Twilio, and joins inside the window get the fallback without calling it.
 * - One warn line per failure episode (error for rejected credentials) and one info line on recovery.
 */
export function createTwilioIceProvider(options: TwilioIceProviderOptions): IceServerProvider {
  const {
    accountSid,
    logger,
    now = Date.now,
    requestTimeoutMs = 5_000,
    ttlSeconds = 3_600,
    backoff = { initialMs: 1_000, maxMs: 300_000 },
  } = options;
  const usesApiKey = Boolean(options.apiKeySid || options.apiKeySecret);
  const [username, password] = usesApiKey ? [options.apiKeySid, options.apiKeySecret] : [accountSid, options.authToken];
  if (!username || !password) {
    throw new Error('Twilio ICE provider: give authToken, or apiKeySid with apiKeySecret');
  }
  const envNames = usesApiKey
    ? 'TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET'
    : 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN';
  const fallback = copy(options.fallback);
  const fallbackText = fallback.length > 0 ? `the ${fallback.length} fallback ICE server(s)` : 'no ICE servers (no fallback configured)';
  const log = logger.child({ ice: 'twilio' });

  /** The SDK's client, made on first use: a server without Twilio never loads the SDK. */
  let client: Promise<ReturnType<typeof twilio>> | null = null;
  const twilioClient = () =>
    (client ??= import('twilio').then(({ default: sdk }) =>
      sdk(username, password, {
        accountSid,
        // The SDK's own RequestClient takes this as its request timeout; the race below covers any client.
        timeout: requestTimeoutMs,
        autoRetry: false,
        ...(options.edge ? { edge: options.edge } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.httpClient ? { httpClient: options.httpClient as unknown as twilio.RequestClient } : {}),
      }),
    )).catch((error: unknown) => {
      client = null; // tried again at the next request
      throw error;
    });
  // Loading starts now, in the background (a failure is the first request's to report): the first
  // join does not wait for it, and a server without Twilio never gets here.
  const loaded = twilioClient().then(
    () => {},
    () => {},
  );

  let token: Token | null = null;
  let flight: Flight | null = null;
  let failure: Failure | null = null;
  let failures = 0;
  let retryAt = 0;
  let lastSuccessAt: number | null = null;
  let closed = false;
  const cancels = new Set<() => void>();

  /** Rejects with TimeoutError after requestTimeoutMs (or at close()). */
  function withTimeout<T>(promise: Promise<T>): Promise<T> {
    let cancel!: () => void;
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError()), requestTimeoutMs);
      timer.unref();
      cancel = () => {
        clearTimeout(timer);
        reject(new TimeoutError());
      };
    });
    cancels.add(cancel);
    return Promise.race([promise, timeout]).finally(() => cancels.delete(cancel));
  }

  async function fetchToken(): Promise<Token> {
    const sdk = await twilioClient();
    const sentAt = now();
    const result = await withTimeout(sdk.tokens.create({ ttl: ttlSeconds }));
    const iceServers = mapTwilioIceServers(result.iceServers);
    if (iceServers.length === 0) throw new Error('Twilio returned no ICE servers');
    const lifeMs = parseTtl(result.ttl, ttlSeconds) * 1000;
    return { iceServers, sentAt, refreshAt: sentAt + lifeMs / 2, expiresAt: sentAt + lifeMs };
  }

  function succeed(fresh: Token): null {
    token = fresh;
    lastSuccessAt = now();
    if (failure) {
      log.info({ failedAttempts: failures }, `Twilio ICE tokens available again after ${failures} failed attempt(s)`);
    }
    failure = null;
    failures = 0;
    retryAt = 0;
    return null;
  }

  function fail(error: unknown, current: Flight): Failure {
    const next = describe(error, requestTimeoutMs);
    if (closed) return next;
    const newEpisode = !failure || (next.auth && !failure.auth);
    failures += 1;
    const waitMs = next.auth ? backoff.maxMs : backoffDelay(failures, backoff);
    retryAt = now() + waitMs;
    failure = next;
    const fields = { failedAttempts: failures, retryInMs: waitMs, fallbackServers: fallback.length };
    const serving =
      token && now() < token.expiresAt ? `serving the current token until it expires, then ${fallbackText}` : `serving ${fallbackText}`;
    if (newEpisode && !current.quiet) {
      if (next.auth) {
        log.error(
          fields,
          `Twilio rejected the credentials (${next.message}): check ${envNames}; ${serving}, retrying every ${duration(waitMs)}`,
        );
      } else {
        log.warn(
          fields,
          `Twilio ICE token request failed (${next.message}): ${serving} until it recovers; next attempt in ${duration(waitMs)}`,
        );
      }
    } else {
      log.debug(fields, `Twilio ICE token request failed again (${next.message})`);
    }
    return next;
  }

  /** One request at a time; every caller meanwhile shares it. Resolves with the failure or null. */
  function refresh(): Flight {
    if (flight) return flight;
    const current: Flight = { quiet: false, promise: Promise.resolve(null) };
    current.promise = fetchToken()
      .then(succeed, (error: unknown) => fail(error, current))
      .finally(() => {
        flight = null;
      });
    flight = current;
    return current;
  }

  function served(t: Token): IceServersResult {
    return { iceServers: copy(t.iceServers), expiresAt: t.expiresAt };
  }

  function degraded(): IceServersResult {
    return { iceServers: copy(fallback), expiresAt: null, degraded: true };
  }

  return {
    name: 'twilio',
    loaded,

    async getIceServers() {
      const at = now();
      if (token && at < token.expiresAt) {
        // Less than half of its life left: refresh in the background (not while backing off).
        if (at >= token.refreshAt && !closed && at >= retryAt) void refresh().promise;
        return served(token);
      }
      if (closed || (failure && at < retryAt && !flight)) return degraded();
      await refresh().promise;
      return token && now() < token.expiresAt ? served(token) : degraded();
    },

    async verify() {
      if (closed) return null;
      const current = refresh();
      current.quiet = true;
      const problem = await current.promise;
      if (!problem) return null;
      if (problem.auth) {
        return `Twilio rejected the credentials (${problem.message}): check ${envNames}. Serving ${fallbackText} meanwhile and retrying every ${duration(backoff.maxMs)}.`;
      }
      return `Twilio Network Traversal Service unavailable at start-up (${problem.message}): serving ${fallbackText} meanwhile and retrying with backoff.`;
    },

    health(): IceProviderHealth {
      return failure
        ? {
            ok: false,
            error: failure.auth ? `Twilio rejected the credentials (${failure.message})` : `Twilio: ${failure.message}`,
            lastSuccessAt,
          }
        : { ok: true, lastSuccessAt };
    },

    close() {
      closed = true;
      for (const cancel of [...cancels]) cancel();
      cancels.clear();
    },
  };
}
