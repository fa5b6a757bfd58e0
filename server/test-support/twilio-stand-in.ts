import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwilioHttpClient, TwilioHttpRequest, TwilioHttpResponse } from '../ice/twilio.js';

/** One request as the stand-in received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/2010-04-01/Accounts/AC…/Tokens.json`. */
  path: string;
  /** The host the SDK addressed (`api.twilio.com`, or with edge/region), from `x-twilio-host`. */
  twilioHost: string | undefined;
  /** Lower-cased header names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw form body. */
  body: string;
  /** The form body, decoded (e.g. `{ Ttl: '3600' }`). */
  form: Record<string, string>;
  /** `[username, password]` from a Basic Authorization header. */
  basicAuth: [string, string] | null;
}

/** What the stand-in answers instead of a token; persistent until changed. */
export interface StandInAnswer {
  /** HTTP status; with no `body`, Twilio's error JSON for that status. */
  status?: number;
  body?: unknown;
  /** Wait this long before answering (for timeouts). */
  delayMs?: number;
}

export interface TwilioStandInOptions {
  accountSid: string;
  /** The account's auth token; Basic auth with `accountSid:authToken` is accepted. */
  authToken: string;
  /** API keys of the account: `{ SK…: secret }`; Basic auth with `SK…:secret` is accepted. */
  apiKeys?: Record<string, string>;
}

export interface TwilioStandIn {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** An `httpClient` for the twilio SDK that sends its requests here. */
  readonly httpClient: StandInHttpClient;
  /** From now on, answer every request like this; `null` answers like Twilio again. */
  answer(answer: StandInAnswer | null): void;
  close(): Promise<void>;
}

/** Twilio's legacy error JSON for a status, as its REST API sends it. */
export function twilioError(status: number): { code: number; message: string; more_info: string; status: number } {
  const known: Record<number, [number, string]> = {
    401: [20003, 'Authenticate'],
    404: [20404, 'The requested resource was not found'],
    429: [20429, 'Too Many Requests'],
    500: [20500, 'An internal server error has occurred'],
    503: [20503, 'Service Unavailable'],
  };
  const [code, message] = known[status] ?? [20000 + status, `HTTP ${status}`];
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** RFC 2822 the way Twilio writes it: `Wed, 04 Sep 2024 15:02:39 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function tokenBody(accountSid: string, ttl: string) {
  const username = randomBytes(32).toString('hex');
  const credential = randomBytes(32).toString('base64');
  const turn = (urls: string) => ({ url: urls, urls, username, credential });
  const now = rfc2822(new Date());
  return {
    account_sid: accountSid,
    date_created: now,
    date_updated: now,
    ice_servers: [
      { url: 'stun:global.stun.twilio.com:3478', urls: 'stun:global.stun.twilio.com:3478' },
      turn('turn:global.turn.twilio.com:3478?transport=udp'),
      turn('turn:global.turn.twilio.com:3478?transport=tcp'),
      turn('turn:global.turn.twilio.com:443?transport=tcp'),
    ],
    password: credential,
    ttl,
    username,
  };
}

function parseBasic(header: string | undefined): [string, string] | null {
  const match = /^Basic (.+)$/.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * A local stand-in for Twilio's Tokens endpoint (`POST /2010-04-01/Accounts/{AccountSid}/Tokens.json`)
 * on 127.0.0.1 with a random port. It checks Basic auth like Twilio (401 / 20003 when wrong).
 */
export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const requests: RecordedRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();
  let override: StandInAnswer | null = null;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const form = Object.fromEntries(new URLSearchParams(body));
    const basicAuth = parseBasic(req.headers.authorization);
    const host = req.headers['x-twilio-host'];
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      twilioHost: typeof host === 'string' ? host : undefined,
      headers: { ...req.headers },
      body,
      form,
      basicAuth,
    });
    const answer = override;
    const respond = () => {
      if (answer) {
        const status = answer.status ?? 200;
        return send(res, status, answer.body ?? (status >= 400 ? twilioError(status) : {}));
      }
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Tokens\.json$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (!match || req.method !== 'POST') return send(res, 404, twilioError(404));
      const [user, pass] = basicAuth ?? ['', ''];
      const authorized =
        match[1] === options.accountSid &&
        ((user === options.accountSid && pass === options.authToken) ||
          (options.apiKeys?.[user] !== undefined && options.apiKeys[user] === pass));
      if (!authorized) return send(res, 401, twilioError(401));
      return send(res, 201, tokenBody(options.accountSid, form.Ttl ?? '86400'));
    };
    if (answer?.delayMs) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        respond();
      }, answer.delayMs);
      pending.add(timer);
    } else {
      respond();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    httpClient: new StandInHttpClient(url),
    answer(answer) {
      override = answer;
    },
    close() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * An `httpClient` for the twilio SDK (the shape of its `RequestClient.request`) that keeps the path
 * and query of the SDK's `https://api….twilio.com/…` URI but sends it to `baseUrl` with `fetch`,
 * adding Basic auth and form-encoding `data` as twilio's own RequestClient does. The host the SDK
 * meant goes along in `x-twilio-host`.
 */
export class StandInHttpClient implements TwilioHttpClient {
  constructor(
    readonly baseUrl: string,
    /** Used when the SDK gives no `timeout` (it does not for `tokens.create`). */
    readonly defaultTimeoutMs = 10_000,
  ) {}

  async request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    const original = new URL(opts.uri);
    const target = new URL(original.pathname + original.search, this.baseUrl);
    if (opts.params) {
      for (const [key, value] of Object.entries(opts.params)) target.searchParams.append(key, String(value));
    }
    const headers: Record<string, string> = { ...(opts.headers ?? {}), 'x-twilio-host': original.host };
    delete headers.Connection; // fetch manages connections itself
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    }
    let body: string | undefined;
    if (opts.data !== undefined && opts.data !== null) {
      const contentType = headers['Content-Type'] ?? '';
      body =
        contentType === 'application/json'
          ? JSON.stringify(opts.data)
          : new URLSearchParams(Object.entries(opts.data as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString();
    }
    const response = await fetch(target, {
      method: opts.method.toUpperCase(),
      headers,
      body,
      redirect: opts.allowRedirects ? 'follow' : 'manual',
      signal: AbortSignal.timeout(opts.timeout ?? this.defaultTimeoutMs),
    });
    return {
      statusCode: response.status,
      // The SDK JSON-parses string bodies itself (as with axios' raw data).
      body: await response.text(),
      headers: Object.fromEntries(response.headers),
    };
  }
}
