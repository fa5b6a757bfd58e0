// What the server allocates per relayed `signal`: `node scripts/bench-alloc.mjs [signals]` (after
// `npm run build`). The built server runs in this process with two members in a room; one sends
// the other ICE candidates (acknowledged, in batches), under V8's sampling heap profiler counting
// garbage too. Prints bytes allocated per signal, grouped by where they were allocated: the
// nearest frame (leaf first) in the server's own code or in a library it uses.
import { Session } from 'node:inspector/promises';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import { BENCH_LIMITS_OPTIONS } from './built-server.mjs';

const SIGNALS = Number(process.argv[2] ?? 20_000);
const BATCH = 100;
/** Where a frame's code comes from, by its script URL; the first match wins. */
const PLACES = [
  ['server (dist/server)', /dist\/server\//],
  ['protocol (dist/protocol)', /dist\/protocol\//],
  ['zod', /node_modules\/zod\//],
  ['rate-limiter-flexible', /node_modules\/rate-limiter-flexible\//],
  ['socket.io', /node_modules\/socket\.io\//],
  ['socket.io-adapter', /node_modules\/socket\.io-adapter\//],
  ['socket.io-parser', /node_modules\/socket\.io-parser\//],
  ['engine.io', /node_modules\/engine\.io\//],
  ['ws', /node_modules\/ws\//],
];
/** Client-side code in this process: its allocations are not the server's. */
const CLIENT = /node_modules\/(socket\.io-client|engine\.io-client|engine\.io-parser|@socket\.io\/component-emitter)\/|bench-alloc/;

const { createRtcServer } = await import('../dist/server/app.js');
const rtc = createRtcServer({ logger: pino({ level: 'silent' }), roomCapacity: 2, ...BENCH_LIMITS_OPTIONS });
const { url } = await rtc.listen(0, '127.0.0.1');
const members = [0, 1].map(() => connect(url, { transports: ['websocket'], forceNew: true, reconnection: false }));
await Promise.all(members.map((s) => new Promise((resolve) => s.once('connect', resolve))));
const ids = [];
for (const s of members) ids.push((await s.emitWithAck('join', { room: 'alloc' })).id);
let received = 0;
members[1].on('signal', () => received++);

async function send(n) {
  for (let i = 0; i < n; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, (_, k) =>
        members[0].emitWithAck('signal', {
          to: ids[1],
          candidate: { candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${50000 + k} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
        }),
      ),
    );
  }
}

await send(2_000); // warm up: JIT, limiter records, buffers
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const before = received;
await send(SIGNALS);
const { profile } = await session.post('HeapProfiler.stopSampling');
const delivered = received - before;

const totals = new Map();
let client = 0;
let other = 0;
(function walk(node, stack) {
  const frames = [...stack, node.callFrame];
  if (node.selfSize > 0) {
    const leafFirst = [...frames].reverse();
    if (leafFirst.some((f) => CLIENT.test(f.url)) && !leafFirst.some((f) => /dist\/server\//.test(f.url))) client += node.selfSize;
    else {
      const frame = leafFirst.find((f) => PLACES.some(([, re]) => re.test(f.url)));
      if (!frame) other += node.selfSize;
      else {
        const place = PLACES.find(([, re]) => re.test(frame.url))[0];
        const key = `${place}: ${frame.functionName || '(anonymous)'} (${frame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${frame.lineNumber + 1})`;
        totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
      }
    }
  }
  for (const child of node.children) walk(child, frames);
})(profile.head, []);

const perSignal = (bytes) => `${Math.round(bytes / SIGNALS)} B`;
const server = [...totals.values()].reduce((a, b) => a + b, 0);
console.log(`bench-alloc: ${SIGNALS} signals relayed (${delivered} delivered), sampled every 256 bytes, garbage included`);
console.log(
  `  server side: ${perSignal(server)} per signal; unattributed (node internals): ${perSignal(other)}; the clients in this process: ${perSignal(client)}`,
);
const byPlace = new Map();
for (const [key, bytes] of totals) byPlace.set(key.split(':')[0], (byPlace.get(key.split(':')[0]) ?? 0) + bytes);
for (const [place, bytes] of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(`  ${place.padEnd(28)}${perSignal(bytes).padStart(8)}`);
console.log('  largest sites:');
for (const [key, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`    ${perSignal(bytes).padStart(7)}  ${key}`);

for (const s of members) s.close();
session.disconnect();
await rtc.close();
