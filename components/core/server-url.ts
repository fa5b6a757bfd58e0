// Where `<rtc-room server="…">` points: the origin Socket.IO connects to and its path, and what to
// say when nothing answers there. A URL's path is a prefix (`https://host/rtc` is
// `/rtc/socket.io/`, as the server's `path: '/rtc/socket.io'`), never a Socket.IO namespace.

/** Socket.IO's default path, and the one under a prefix: `${prefix}/socket.io/`. */
export const SOCKET_IO_PATH = '/socket.io/';

export interface ServerTarget {
  /** `https://host:port` to connect to; undefined: the page's own origin. */
  readonly origin: string | undefined;
  /** Socket.IO's path, ending in a slash: `/socket.io/`, `/rtc/socket.io/`. */
  readonly path: string;
  /** The URL requests go to, for messages: `https://host/rtc/socket.io/` (the path alone when the page's origin is unknown). */
  readonly url: string;
}

/**
 * The origin and Socket.IO path of a `server` URL: absolute (`https://host/rtc`), relative to
 * `base` (the page's URL; `/rtc`), or undefined for the page's own origin. A path that already
 * ends in `/socket.io` is taken as Socket.IO's path itself. A value that is no URL is passed on
 * as the origin, for Socket.IO to fail on and the failure to name.
 */
export function serverTarget(server: string | undefined, base?: string): ServerTarget {
  const own = base ? safeUrl(base) : undefined;
  if (server === undefined || server.trim() === '') {
    return { origin: undefined, path: SOCKET_IO_PATH, url: own ? `${own.origin}${SOCKET_IO_PATH}` : SOCKET_IO_PATH };
  }
  const url = safeUrl(server.trim(), base);
  if (!url) return { origin: server, path: SOCKET_IO_PATH, url: server };
  const prefix = url.pathname.replace(/\/+$/, '');
  const path = /(^|\/)socket\.io$/.test(prefix) ? `${prefix}/` : `${prefix}${SOCKET_IO_PATH}`;
  return { origin: url.origin, path, url: `${url.origin}${path}` };
}

function safeUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/**
 * Why a connection attempt failed and what usually fixes it, naming the URL it tried. `message` is
 * Socket.IO's `connect_error` message: `server error` when something other than an rtc-room
 * server answered (a dev server's page), a transport error when nothing did, else the server's
 * refusal (`origin_not_allowed`, `too_many_connections`, `server_closing`).
 */
export function connectFailureMessage(target: ServerTarget, message: string): string {
  const proxy = `or proxy ${target.path.replace(/\/$/, '')} to it (with ws: true for WebSocket)`;
  if (message === 'server error') {
    return `Something other than an rtc-room server answered at ${target.url} (${message}): set server= to the rtc-room server's URL, ${proxy}; trying again`;
  }
  if (/^(xhr poll error|xhr post error|websocket error|timeout|transport (close|error))$/.test(message)) {
    return `No rtc-room server answered at ${target.url} (${message}): start one (\`npx rtc-room-server\`) and set server= to its URL, ${proxy}; trying again`;
  }
  return `The rtc-room server at ${target.url} refused the connection (${message}); trying again`;
}
