// Hostile input, bounded: thousands of random and malicious payloads to every event from many
// sockets at once, while two members in another room keep signaling. Seeded, so a failure repeats.
// The server runs as its own process (server/main.ts, default limits), so its memory is its own.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { io as connect } from 'socket.io-client';
import { ERROR_CODES } from '../../protocol/index.js';
import { nextEvent, rawRequest, type TestClient } from '../test-support/harness.js';

const PAYLOADS = 6_000;
const ATTACKERS = 24;
const DEADLINE_MS = 45_000;
/** The server process's resident memory may not pass this, at its peak (VmHWM), during the run. */
const PEAK_RSS_LIMIT_KB = 300 * 1024;
/** …nor end more than this above where it started (once the attack is over). */
const RSS_GROWTH_LIMIT_KB = 96 * 1024;

/** Resident set now and at its peak, in KB, from /proc (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** mulberry32: a small seeded generator. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KNOWN = new Set(['join', 'signal', 'leave', 'ice-servers', 'refresh-token', 'preflight', 'media-state', 'peer-check']);
const EVENTS = [
  'join',
  'signal',
  'leave',
  'ice-servers',
  'refresh-token',
  'preflight',
  'media-state',
  'peer-check',
  'no-such-event',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'peer-joined',
  'signal ',
  'JOIN',
  '',
];

function payloadMaker(rand: () => number, ids: () => string[]) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const str = () =>
    pick([
      '',
      'standup',
      'fuzz-room-1',
      'fuzz-room-2',
      'a'.repeat(65),
      '\u0000\u202e<script>alert(1)</script>',
      'v=0\r\n',
      'candidate:1 1 udp 1 127.0.0.1 9 typ host',
      '../../etc/passwd',
      '%00',
      '𝕏'.repeat(300),
      ...ids(),
    ]);
  const nested = (depth: number): unknown => (depth === 0 ? str() : rand() < 0.5 ? [nested(depth - 1)] : { a: nested(depth - 1) });
  const polluting = () =>
    JSON.parse(
      pick([
        '{"__proto__":{"polluted":true,"ok":true},"room":"fuzz-room-1"}',
        '{"constructor":{"prototype":{"polluted":true}},"room":"fuzz-room-1"}',
        '{"room":"fuzz-room-1","__proto__":{"token":"x"}}',
        '{"to":"x","candidate":{"candidate":"","__proto__":{"polluted":1}}}',
        '{"prototype":{"polluted":true}}',
      ]),
    );
  const value = (depth = 0): unknown => {
    const r = rand();
    if (r < 0.08) return undefined;
    if (r < 0.14) return null;
    if (r < 0.2) return pick([0, -1, 1e308, NaN, 2 ** 53, 1.5, -0]);
    if (r < 0.26) return rand() < 0.5;
    if (r < 0.4) return str();
    if (r < 0.46) return polluting();
    if (r < 0.5) return nested(50 + Math.floor(rand() * 400));
    if (r < 0.53) return Buffer.alloc(Math.floor(rand() * 2048), 7);
    if (r < 0.56) return Array.from({ length: Math.floor(rand() * 3000) }, () => 1);
    if (r < 0.62 || depth > 2)
      return {
        room: pick(['fuzz-room-1', 'fuzz-room-2', str()]),
        ...(rand() < 0.5 ? { name: str() } : {}),
        ...(rand() < 0.3 ? { capacity: pick([1, 2, 9, '4', null]) } : {}),
      };
    if (r < 0.72)
      return {
        to: pick(ids().length ? ids() : ['x']),
        description: { type: pick(['offer', 'answer', 'pranswer', 'rollback', 1]), sdp: rand() < 0.5 ? 'v=0\r\na=sendrecv\r\n' : str() },
      };
    if (r < 0.82)
      return {
        to: pick(ids().length ? ids() : ['x']),
        candidate: { candidate: pick(['', 'candidate:1 1 udp 1 127.0.0.1 9 typ host', str()]), sdpMid: pick(['0', null, 5, '']) },
      };
    if (r < 0.86) return { to: pick(ids().length ? ids() : ['x']), from: pick(ids().length ? ids() : ['x']), candidate: { candidate: '' } };
    if (r < 0.88)
      return {
        audio: pick([true, false, 'true', 1, null]),
        video: pick([true, false, {}]),
        screen: pick([false, undefined]),
        ...(rand() < 0.3 ? { from: pick(ids().length ? ids() : ['x']) } : {}),
      };
    if (r < 0.9)
      return {
        id: pick([...ids(), 'x', '', 5, null, {}, 'a'.repeat(65)]),
        ...(rand() < 0.3 ? { room: pick(['fuzz-room-1', 'members-only']) } : {}),
      };
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 4; i++) obj[str().slice(0, 20) || 'k'] = value(depth + 1);
    return obj;
  };
  const ROOMS = Array.from({ length: 12 }, (_, i) => `fuzz-room-${i + 1}`);
  /** A well-formed request: some attackers must get in and reach each other for the checks to bite. */
  const wellFormed = (event: string, roommates: string[]): unknown[] => {
    if (event === 'join') return [{ room: pick(ROOMS), name: str().slice(0, 64) }];
    if (event === 'signal') {
      const to = pick(roommates.length && rand() < 0.8 ? roommates : ids().length ? ids() : ['x']);
      return [
        rand() < 0.5
          ? { to, candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } }
          : { to, description: { type: 'offer', sdp: 'v=0\r\n' } },
      ];
    }
    if (event === 'preflight') return [{ room: pick([...ROOMS, 'members-only']) }];
    if (event === 'media-state') return [{ audio: rand() < 0.5, video: rand() < 0.5, screen: rand() < 0.5 }];
    // mostly a roommate (the check must reach someone), else anyone, the two members included
    if (event === 'peer-check') return [{ id: pick(roommates.length && rand() < 0.8 ? roommates : ids().length ? ids() : ['x']) }];
    return [];
  };
  return { pick, value, wellFormed };
}

describe(
  'fuzzing every event from many sockets',
  { skip: existsSync('/proc/self/status') ? false : "needs /proc to measure the server's memory" },
  () => {
    let child: ChildProcess;
    let url: string;
    const clients: TestClient[] = [];
    before(async () => {
      // Default limits; attackers and members get different addresses through X-Forwarded-For.
      child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: '1', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
        child.stdout!.on('data', (d) => {
          out += d;
          const port = /listening on http:\/\/localhost:(\d+)/.exec(out)?.[1];
          if (port) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${port}`);
          }
        });
      });
    });
    after(() => {
      for (const c of clients) c.disconnect();
      child.kill('SIGKILL');
    });
    const h = {
      async client(options: object): Promise<TestClient> {
        const socket: TestClient = connect(url, { forceNew: true, reconnection: false, ...options });
        clients.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        return socket;
      },
    };

    it('stays up with bounded memory; members elsewhere keep signaling; nothing crosses rooms or reaches the unjoined', async (t) => {
      const rand = random(0xc0ffee);
      const as = (ip: string, transport: 'websocket' | 'polling' = 'websocket') =>
        h.client({ transports: [transport], transportOptions: { [transport]: { extraHeaders: { 'X-Forwarded-For': ip } } } });

      // two members in a room of their own, from their own address
      const [a, b] = [await as('198.51.100.1'), await as('198.51.100.2')];
      const ja = await rawRequest(a, 'join', { room: 'members-only', name: 'Ada' });
      const jb = await rawRequest(b, 'join', { room: 'members-only', name: 'Bob' });
      const memberInbox: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
      a.onAny((event, ...args) => memberInbox.a.push([event, ...args]));
      b.onAny((event, ...args) => memberInbox.b.push([event, ...args]));
      // a socket that never joins: it must hear nothing at all (not even a peer-check it could not answer)
      const lurker = await as('198.51.100.3');
      const lurkerHeard: unknown[] = [];
      lurker.onAny((...args) => lurkerHeard.push(args));

      const idRoom = new Map<string, string>([
        [ja.id, 'members-only'],
        [jb.id, 'members-only'],
      ]);
      const attackerIds = () => [...idRoom.keys()];
      const { pick, value, wellFormed } = payloadMaker(rand, attackerIds);
      const heard: { attacker: Attacker; what: string; id: string }[] = [];
      /** Server peer-checks that reached an attacker socket that had never joined. */
      const probedUnjoined: number[] = [];
      const badAnswers: unknown[] = [];
      let disconnects = 0;
      let joins = 0;
      let delivered = 0;

      type Attacker = { socket: TestClient; rooms: Set<string>; room?: string; id?: string };
      /** Attacker member ids in the room they are in now (as far as the answers tell). */
      const present = new Map<string, string>();
      const attackers: Attacker[] = [];
      const spawnAttacker = async (i: number): Promise<Attacker> => {
        const socket = await as(`203.0.113.${i}`, i % 8 === 0 ? 'polling' : 'websocket');
        const attacker: Attacker = { socket, rooms: new Set() };
        // Checked at the end: a member may hear of others just before its own join answer arrives.
        socket.on('signal', (message: { from?: string }) => {
          delivered++;
          heard.push({ attacker, what: 'signal', id: message.from ?? '' });
        });
        socket.on('peer-joined', (peer: { id: string }) => heard.push({ attacker, what: 'peer-joined', id: peer.id }));
        socket.on('media-state', (message: { from?: string }) => heard.push({ attacker, what: 'media-state', id: message.from ?? '' }));
        socket.on('peer-left', (peer: { id: string }) => heard.push({ attacker, what: 'peer-left', id: peer.id }));
        socket.on('peer-away', (peer: { id: string }) => heard.push({ attacker, what: 'peer-away', id: peer.id }));
        // Half the attackers answer the server's peer-check, as the components do; the others are
        // pages that hang, and are disconnected for it.
        socket.on('peer-check', (ack: (r: { ok: true }) => void) => {
          if (attacker.rooms.size === 0) probedUnjoined.push(i);
          if (i % 2 === 0) ack({ ok: true });
        });
        socket.on('disconnect', () => {
          disconnects++;
          if (attacker.id) present.delete(attacker.id);
        });
        return attacker;
      };
      for (let i = 0; i < ATTACKERS; i++) attackers.push(await spawnAttacker(i + 1));

      const memoryBefore = memoryOf(child.pid!);
      const started = Date.now();
      let sent = 0;
      let exchanges = 0;
      /** Answers to peer-check, which may take the server's 2 s probe: checked at the end, not awaited per batch. */
      const slow: Promise<void>[] = [];

      while (sent < PAYLOADS && Date.now() - started < DEADLINE_MS) {
        const batch: Promise<void>[] = [];
        for (let k = 0; k < 200 && sent < PAYLOADS; k++, sent++) {
          const index = Math.floor(rand() * attackers.length);
          let attacker = attackers[index]!;
          if (!attacker.socket.connected) attacker = attackers[index] = await spawnAttacker(index + 1);
          const event =
            rand() < 0.5
              ? pick(['join', 'signal', 'signal', 'signal', 'ice-servers', 'preflight', 'media-state', 'peer-check'])
              : pick(EVENTS);
          const roommates = [...present].filter(([id, r]) => r === attacker.room && id !== attacker.id).map(([id]) => id);
          const args = rand() < 0.25 ? wellFormed(event, roommates) : Array.from({ length: Math.floor(rand() * 3) }, () => value());
          // a few 10 MB strings: the server must close that connection, not buffer it
          if (rand() < 0.004) args.unshift('x'.repeat(10 * 1024 * 1024));
          const withAck = rand() < 0.8;
          const socket = attacker.socket as any;
          if (!withAck || !KNOWN.has(event)) {
            // unknown events are never answered: send them with and without a callback, wait for nothing
            socket.emit(event, ...args, ...(withAck ? [() => badAnswers.push({ event, answered: true })] : []));
            continue;
          }
          (event === 'peer-check' ? slow : batch).push(
            socket
              .timeout(5_000)
              .emitWithAck(event, ...args)
              .then((answer: any) => {
                const fine =
                  answer &&
                  typeof answer === 'object' &&
                  (answer.ok === true || (answer.ok === false && ERROR_CODES.includes(answer.error?.code)));
                if (!fine) badAnswers.push({ event, answer });
                if (event === 'join' && answer?.ok === true) {
                  joins++;
                  idRoom.set(answer.id, answer.room);
                  attacker.rooms.add(answer.room);
                  attacker.room = answer.room;
                  attacker.id = answer.id;
                  present.set(answer.id, answer.room);
                }
                if (event === 'leave' && answer?.ok === true && attacker.id) {
                  present.delete(attacker.id);
                  attacker.room = attacker.id = undefined;
                }
              })
              .catch(() => {}), // a closed socket (10 MB payload) drops its acks
          );
        }
        await Promise.all(batch);
        // the members' call goes on: a signal each way, stamped with the sender's id
        const toB = nextEvent(b, 'signal', 5_000);
        assert.deepEqual(
          await rawRequest(a, 'signal', { to: jb.id, candidate: { candidate: `candidate:${sent} 1 udp 1 127.0.0.1 9 typ host` } }),
          { ok: true },
        );
        assert.equal((await toB).from, ja.id);
        const toA = nextEvent(a, 'signal', 5_000);
        assert.deepEqual(await rawRequest(b, 'signal', { to: ja.id, description: { type: 'answer', sdp: `v=0\r\ns=${sent}\r\n` } }), {
          ok: true,
        });
        assert.equal((await toA).from, jb.id);
        exchanges++;
      }
      await Promise.all(slow);
      const elapsed = Date.now() - started;
      const memoryAfter = memoryOf(child.pid!);

      assert.ok(sent >= 3_000, `only ${sent} payloads within ${DEADLINE_MS} ms`);
      assert.ok(
        joins >= 20 && delivered >= 10,
        `the attackers must get in and signal each other for the checks to mean something (${joins} joins, ${delivered} signals)`,
      );
      await new Promise((r) => setTimeout(r, 200)); // the last answers and announcements
      const crossings = heard
        // (an id never answered is a joiner whose socket closed before its answer came: room unknown)
        .filter(({ attacker, id }) => idRoom.has(id) && !attacker.rooms.has(idRoom.get(id)!))
        .map(({ attacker, what, id }) => `${what} from ${id} (room ${idRoom.get(id)}) reached a socket of ${[...attacker.rooms]}`);
      assert.deepEqual(crossings, [], 'nothing crossed rooms');
      assert.deepEqual(lurkerHeard, [], 'a socket that never joined heard nothing');
      assert.deepEqual(probedUnjoined, [], 'no peer-check reached an attacker that never joined');
      const kinds = new Set(heard.map(({ what }) => what));
      for (const what of ['signal', 'peer-joined', 'media-state', 'peer-away'])
        assert.ok(kinds.has(what), `the attackers heard some ${what} (${[...kinds]})`);
      assert.deepEqual(badAnswers.slice(0, 3), [], 'every answer is { ok: true } or a known error code');
      const expected = (peer: string) => (m: any) => m[0] === 'signal' && m[1].from === peer;
      assert.ok(
        memberInbox.a.every(expected(jb.id)),
        `member a heard only b: ${JSON.stringify(memberInbox.a.find((m) => !expected(jb.id)(m)))}`,
      );
      assert.ok(memberInbox.b.every(expected(ja.id)), 'member b heard only a');
      assert.equal(memberInbox.a.length, exchanges);
      assert.ok(({} as any).polluted === undefined && Object.keys(Object.prototype).length === 0, 'no prototype pollution');
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      const { counters } = await health.json();
      assert.ok(counters.unknownEvents > 0 && counters.badRequests > 0, JSON.stringify(counters));
      const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
      t.diagnostic(
        `${sent} payloads from ${ATTACKERS} sockets in ${elapsed} ms; ${exchanges} member exchanges; ${disconnects} attacker disconnects; ${joins} attacker joins, ${delivered} signals among them; ` +
          `server rss ${mb(memoryBefore.rss)} -> ${mb(memoryAfter.rss)}, peak ${mb(memoryAfter.peak)}; counters ${JSON.stringify(counters)}`,
      );
      assert.ok(memoryAfter.peak < PEAK_RSS_LIMIT_KB, `server peak rss ${mb(memoryAfter.peak)}`);
      assert.ok(memoryAfter.rss - memoryBefore.rss < RSS_GROWTH_LIMIT_KB, `server rss grew ${mb(memoryAfter.rss - memoryBefore.rss)}`);
    });
  },
);
