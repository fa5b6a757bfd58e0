// Part of `npm run bench`: how much each ICE provider adds to a join. Runs with `node --import tsx`
// (it uses the server's TypeScript sources and the Twilio stand-in from server/test-support).
//
// For each provider: a real server on 127.0.0.1 and socket.io clients. "cold" is the first join
// after start (Twilio: a token request to the local stand-in, through the real twilio SDK);
// "warm" is the median of the next WARM joins (Twilio: the token is reused). The baseline is the
// static provider; "adds" is the provider's warm median minus the baseline's, and the provider's
// own getIceServers() median in microseconds.
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { createRtcServer, type RtcServerOptions } from '../server/app.js';
import { startTwilioStandIn } from '../server/test-support/twilio-stand-in.js';

const WARM = Number(process.env.BENCH_ICE_JOINS ?? 200);
const UNLIMITED = { points: 100_000_000, duration: 1 };
/**
 * One socket joins and leaves 2 × WARM + 1 times from 127.0.0.1: far over the default join limits
 * (10/60 s per socket, 60/60 s per IP). They are raised for the bench, not turned off, so that a
 * join still pays for the limiter as it does in production.
 */
const BENCH_LIMITS: Pick<RtcServerOptions, 'rateLimits' | 'maxConnectionsPerIp'> = {
  maxConnectionsPerIp: 1_000_000,
  rateLimits: { join: { perSocket: UNLIMITED, perIp: UNLIMITED }, 'ice-servers': { perSocket: UNLIMITED, perIp: UNLIMITED } },
};
const SID = `AC${'0123456789abcdef'.repeat(2)}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function measure(options: RtcServerOptions) {
  const rtc = createRtcServer({ logger: pino({ level: 'silent' }), ...BENCH_LIMITS, ...options });
  const { url } = await rtc.listen(0, '127.0.0.1');
  const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const join = async (room: string) => {
    const t = performance.now();
    const ack = await socket.timeout(5_000).emitWithAck('join', { room });
    const ms = performance.now() - t;
    if (!ack.ok || ack.iceServersDegraded) throw new Error(`join failed: ${JSON.stringify(ack)}`);
    await socket.timeout(5_000).emitWithAck('leave');
    return ms;
  };
  try {
    const cold = await join('cold');
    const warm: number[] = [];
    for (let i = 0; i < WARM; i++) warm.push(await join(`warm-${i}`));
    const provider: number[] = [];
    for (let i = 0; i < WARM; i++) {
      const t = performance.now();
      await rtc.iceProvider.getIceServers({ room: 'r', peerId: `p${i}` });
      provider.push((performance.now() - t) * 1000);
    }
    return { cold, warm: median(warm), provider: median(provider) };
  } finally {
    socket.disconnect();
    await rtc.close();
  }
}

const twilio = await startTwilioStandIn({ accountSid: SID, authToken: 'bench-token' });
try {
  const rows: [string, Awaited<ReturnType<typeof measure>>][] = [
    ['static', await measure({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })],
    [
      'twilio (local stand-in, real SDK)',
      await measure({ twilio: { accountSid: SID, authToken: 'bench-token', httpClient: twilio.httpClient } }),
    ],
    ['turn-rest', await measure({ turn: { urls: ['turn:127.0.0.1:3478'], secrets: ['bench-secret'] } })],
  ];
  const base = rows[0]![1].warm;
  for (const [name, r] of rows) {
    console.log(
      `ICE in the join answer, ${name}: cold ${r.cold.toFixed(2)} ms, warm ${r.warm.toFixed(3)} ms (median of ${WARM}; ` +
        `adds ${(r.warm - base).toFixed(3)} ms to a join vs static), getIceServers warm ${r.provider.toFixed(1)} µs`,
    );
  }
} finally {
  await twilio.close();
}
