import { resolve } from 'node:path';
import express, { type Router } from 'express';

/** The bundle's files, served from `bundleDir` at `/`. */
export const BUNDLE_FILES = ['rtc-room.js', 'rtc-room.js.map', 'custom-elements.json'];
/** The bundle's lazily loaded chunks (rollup.config.js `chunkFileNames`): `rtc-room.<name>-<hash>.js` and maps. */
export const BUNDLE_CHUNK = /^\/(rtc-room\.[\w-]+\.js(?:\.map)?)$/;

/** The bundle (from `bundleDir`) and the demo (from `demoDir`, `index.html` at `/`), each when given. */
export function staticFiles({ bundleDir, demoDir }: { bundleDir?: string | undefined; demoDir?: string | undefined }): Router {
  // Exact paths, as the app's own routes (see http/index.ts).
  const router = express.Router({ caseSensitive: true, strict: true });
  if (bundleDir) {
    const dir = resolve(bundleDir);
    for (const file of BUNDLE_FILES) router.get(`/${file}`, (_req, res) => res.sendFile(resolve(dir, file)));
    // A name of letters, digits, `_` and `-` only: no path leaves `dir`. A missing one is the app's 404.
    router.get(BUNDLE_CHUNK, (req, res, next) => res.sendFile(resolve(dir, BUNDLE_CHUNK.exec(req.path)![1]!), (error) => error && next()));
  }
  if (demoDir) router.use(express.static(demoDir, { index: 'index.html' }));
  return router;
}
