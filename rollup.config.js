// The ESM bundle for <script type="module"> pages: dist/rtc-room.js (components/autoloader.ts)
// registers the call's tags and carries lit, @lit/context and socket.io-client; <rtc-controls>,
// <rtc-chat> and <rtc-preflight> are chunks beside it (dist/rtc-room.<name>-<hash>.js), fetched when
// a page first holds one. dist/bundle-stats.json says where the bytes go (scripts/bench-bytes.mjs).
import { bundleStats } from './scripts/bundle-stats.mjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/**
 * engine.io-client registers three transports by name; rtc-room asks for `websocket` and
 * `polling` only (WebTransport needs an HTTP/3 server, which the rtc-room server is not). Leaving
 * the WebTransport transport out of the registry keeps about 0.5 KB gzip out of the bundle.
 */
function engineIoTransports() {
  const registry = /engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]index\.js$/;
  return {
    name: 'engine.io-transports',
    load(id) {
      if (!registry.test(id)) return null;
      return [
        "import { XHR } from './polling-xhr.node.js';",
        "import { WS } from './websocket.node.js';",
        'export const transports = { websocket: WS, polling: XHR };',
      ].join('\n');
    },
  };
}

const TERSER_OPTIONS = { ecma: 2020, module: true, compress: { passes: 3, pure_getters: true }, format: { comments: false } };

export default {
  input: { 'rtc-room': 'components/autoloader.ts' },
  // The lazy chunks import shared code from rtc-room.js itself (extra exports), not from a third file.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: true,
    entryFileNames: '[name].js',
    // server/http/static.ts serves these names (BUNDLE_CHUNK)
    chunkFileNames: 'rtc-room.[name]-[hash].js',
  },
  plugins: [
    // browser: engine.io-client's "browser" field swaps out its Node transports (ws, xmlhttprequest-ssl).
    nodeResolve({ browser: true }),
    engineIoTransports(),
    typescript({
      tsconfig: './tsconfig.json',
      compilerOptions: { noEmit: false, declaration: false, sourceMap: true, types: [] },
      include: ['components/**/*.ts', 'protocol/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support/**'],
      noEmitOnError: true,
    }),
    terser(TERSER_OPTIONS),
    bundleStats({ terser: TERSER_OPTIONS }),
  ],
};
