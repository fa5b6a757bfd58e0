import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/** The bundle's files at `/`: `rtc-room.js`, its chunks (`rtc-room-*.js`) and their maps. */
const BUNDLE_PATH = /^\/rtc-room[\w.-]*\.js(?:\.map)?$/;
const MANIFEST_PATH = '/custom-elements.json';

export interface StaticOptions {
  /** Holds `rtc-room.js` (and its chunks and maps) and `custom-elements.json`. */
  bundleDir?: string | undefined;
  /** The demo, `index.html` at `/`. */
  demoDir?: string | undefined;
}

/** Every file under `dir` as a URL path (`/demo.js`), and `/` for an `index.html`; none when it is missing. */
function filePaths(dir: string): Set<string> {
  const paths = new Set<string>();
  const walk = (at: string) => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else paths.add(`/${relative(dir, path).split(sep).join('/')}`);
    }
  };
  walk(dir);
  if (paths.has('/index.html')) paths.add('/');
  return paths;
}

/** A file of `dir` by the request's path; a file that is not there goes on with `next()`. */
function sendFrom(dir: string): RequestHandler {
  return (req, res, next) => {
    res.sendFile(resolve(dir, `.${req.path}`), (error?: Error & { status?: number }) => {
      if (!error || res.headersSent) return;
      next(error.status === 404 ? undefined : error);
    });
  };
}

/**
 * The bundle (from `bundleDir`) and the demo (from `demoDir`), each when given, and `owns(path)`:
 * whether a path is one of theirs (a mounted app guards only its own paths, and passes the rest on).
 */
export function staticFiles({ bundleDir, demoDir }: StaticOptions): { router: Router; owns: (path: string) => boolean } {
  // Exact paths, as the app's own routes (see http/index.ts).
  const router = express.Router({ caseSensitive: true, strict: true });
  if (bundleDir) {
    const send = sendFrom(resolve(bundleDir));
    router.get(BUNDLE_PATH, send);
    router.get(MANIFEST_PATH, send);
  }
  // The demo's files are read once: they are the page, not content that changes while it runs.
  const demo = demoDir ? filePaths(resolve(demoDir)) : new Set<string>();
  if (demoDir) router.use(express.static(demoDir, { index: 'index.html' }));
  const owns = (path: string) => (!!bundleDir && (BUNDLE_PATH.test(path) || path === MANIFEST_PATH)) || demo.has(path);
  return { router, owns };
}
