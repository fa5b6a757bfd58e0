import type { IncomingMessage } from 'node:http';

/** Origins as configured: `https://app.example.com` (scheme, host, port; no path). */
export function normalizeOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`'${origin}' is not an http(s) origin`);
  if (url.pathname !== '/' || url.search || url.hash || url.username)
    throw new TypeError(`'${origin}' is not an origin (no path, query or credentials)`);
  return url.origin;
}

/**
 * Whether a request may go on: any origin without a list; with a list, requests that carry an
 * `Origin` header must name one of them. Requests without `Origin` (non-browser clients, a
 * browser's same-origin GET) are allowed: the list keeps other web sites' pages out, which is
 * what Origin is for; it cannot stop a client that forges headers.
 */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string> | null): boolean {
  return allowed === null || origin === undefined || allowed.has(origin);
}

/** The client's address: the socket's peer, or with `trustProxy` the last `X-Forwarded-For` hop. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** Open connections per IP address. */
export class ConnectionCounts {
  readonly #counts = new Map<string, number>();
  count(ip: string): number {
    return this.#counts.get(ip) ?? 0;
  }
  open(ip: string): void {
    this.#counts.set(ip, this.count(ip) + 1);
  }
  close(ip: string): void {
    const n = this.count(ip) - 1;
    if (n > 0) this.#counts.set(ip, n);
    else this.#counts.delete(ip);
  }
}
