import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { Socket } from 'socket.io-client';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import type { MemberPageWindow } from './test-support/member-page.js';
import { expectNoUnhandled, failOnRejection, framesDecoded, holdsFor, serverProcess, uniqueRoom } from './test-support/helpers.js';

async function members(server: string, room: string, names: string[]): Promise<RtcRoomElement[]> {
  const box = await fixture<HTMLDivElement>(html`<div></div>`);
  const rooms = names.map((name) => {
    const el = document.createElement('rtc-room');
    Object.assign(el, { room, name, server });
    el.append(document.createElement('rtc-remote-videos'));
    box.append(el);
    return el;
  });
  await waitUntil(() => rooms.every((r) => r.state === 'joined' && r.peers.length === names.length - 1), 'members did not join', {
    timeout: 10_000,
  });
  return rooms;
}

/** Samples framesDecoded of every member from every other every 100 ms; reports the longest stall. */
function watchFrames(rooms: RtcRoomElement[]) {
  const last = new Map<string, { frames: number; at: number }>();
  let longestStall = 0;
  const timer = setInterval(async () => {
    for (const room of rooms) {
      for (const peer of room.peers) {
        const key = `${room.name}<-${peer.id}`;
        const frames = await framesDecoded(room, peer.id);
        const now = performance.now();
        const seen = last.get(key);
        if (!seen || frames > seen.frames) last.set(key, { frames, at: now });
        else longestStall = Math.max(longestStall, now - seen.at);
      }
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return { longestStall, streams: last.size };
    },
  };
}

/** The member page in `frame` (see test-support/member-page.ts). */
const memberPage = (frame: HTMLIFrameElement) => frame.contentWindow as unknown as MemberPageWindow;

/** Ada in this page and Cy in a member page of its own (member-page.html, `extra` query), connected. */
async function adaAndPageMember(prefix: string, extra = '') {
  const room = uniqueRoom(prefix);
  const [a] = await members('', room, ['Ada']);
  const frame = document.createElement('iframe');
  frame.src = `/components/test-support/member-page.html?room=${room}&name=Cy${extra}`;
  document.body.append(frame);
  const done = () => {
    frame.remove();
    a.remove();
  };
  try {
    await waitUntil(() => a.peers.length === 1 && a.peers[0]!.connectionState === 'connected', 'the page member did not connect', {
      timeout: 15_000,
    });
  } catch (error) {
    done();
    throw error;
  }
  return { a, frame, done };
}

/** Every RTCPeerConnection this page makes from now on; `restore()` puts the native class back. */
function collectPeerConnections(): { pcs: RTCPeerConnection[]; restore(): void } {
  const Native = window.RTCPeerConnection;
  const pcs: RTCPeerConnection[] = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  } as typeof RTCPeerConnection;
  return { pcs, restore: () => void (window.RTCPeerConnection = Native) };
}

/** A media state as `audio/video/screen` (true or false each), to compare what was sent and heard. */
const mediaText = (media: { audio: boolean; video: boolean; screen?: boolean } | null | undefined) =>
  media ? `${media.audio}/${media.video}/${!!media.screen}` : 'nothing';

/** A `media-state` one member sent (see mediaText), and the server's answer once it came. */
interface SentMediaState {
  state: string;
  answer?: { ok: boolean; code?: string };
}

/**
 * Every `media-state` the member called `name` sends from now on (its socket is the one that
 * sends a join with that name), with the server's answers; `restore()` stops watching.
 */
function watchMediaStates(name: string): SentMediaState[] & { restore(): void } {
  const proto = Socket.prototype as unknown as { emit(ev: string, ...args: unknown[]): unknown };
  const emit = proto.emit;
  const sockets = new WeakSet<object>();
  const sent = Object.assign([] as SentMediaState[], { restore: () => void (proto.emit = emit) });
  proto.emit = function (this: Socket, ev: string, ...args: unknown[]) {
    if (ev === 'join' && (args[0] as { name?: string }).name === name) sockets.add(this);
    const ack = args.at(-1);
    if (ev !== 'media-state' || !sockets.has(this) || typeof ack !== 'function') return emit.call(this, ev, ...args);
    const entry: SentMediaState = { state: mediaText(args[0] as Parameters<typeof mediaText>[0]) };
    sent.push(entry);
    // emitWithAck's callback takes (error, response): see socket.io-client's Socket#emitWithAck
    const observed = (error: unknown, response?: { ok: boolean; error?: { code: string } }) => {
      entry.answer = { ok: !error && response?.ok === true, code: error ? 'timeout' : response?.error?.code };
      return ack(error, response);
    };
    return emit.call(this, ev, ...args.slice(0, -1), Object.assign(observed, { withError: true }));
  };
  return sent;
}

describe('calls that survive', () => {
  it(
    'goes on through a SIGKILL and restart of the server: frames keep coming, same ids, signaling works after',
    failOnRejection(async function () {
      this.timeout(60_000);
      const first = await serverProcess('op=start');
      let second: any = null;
      try {
        const room = uniqueRoom('restart');
        const [a, b] = await members(first.url, room, ['Ada', 'Bob']);
        const ids = [a.session!.id!, b.session!.id!];
        await waitUntil(async () => (await framesDecoded(a, ids[1]!)) > 0 && (await framesDecoded(b, ids[0]!)) > 0, 'no frames', {
          timeout: 10_000,
        });
        const frames = watchFrames([a, b]);
        const dropped = Promise.all([oneEvent(a, 'rtc-reconnecting'), oneEvent(b, 'rtc-reconnecting')]);
        const killed = await serverProcess(`op=stop&id=${first.id}&signal=SIGKILL`);
        expect(killed.signal).to.equal('SIGKILL');
        expectNoUnhandled(killed);
        await dropped;
        expect([a.state, b.state, a.getAttribute('state')]).to.deep.equal(['reconnecting', 'reconnecting', 'reconnecting']);
        const back = Promise.all([oneEvent(a, 'rtc-reconnected'), oneEvent(b, 'rtc-reconnected')]);
        second = await serverProcess(`op=start&port=${first.port}`);
        const [ea, eb] = await back;
        expect([ea.detail.id, eb.detail.id]).to.deep.equal(ids);
        await waitUntil(() => a.state === 'joined' && b.state === 'joined');
        // frames go on after the rejoin (the stall watch runs until then)
        const [moreA, moreB] = [await framesDecoded(a, ids[1]!), await framesDecoded(b, ids[0]!)];
        const flowing = async () => (await framesDecoded(a, ids[1]!)) > moreA + 20 && (await framesDecoded(b, ids[0]!)) > moreB + 20;
        await waitUntil(flowing, 'frames stopped after the restart', { timeout: 10_000 });
        const { longestStall, streams } = frames.stop();
        expect(streams).to.equal(2);
        expect(longestStall, 'longest time without a new decoded frame (ms)').to.be.below(1_000);
        expect(a.peers.map((p) => p.id)).to.deep.equal([ids[1]]);
        expect(b.peers.map((p) => p.id)).to.deep.equal([ids[0]]);

        // Signaling works after the restart: a third member joins, sees both, and gets both pictures.
        const c = document.createElement('rtc-room');
        Object.assign(c, { room, name: 'Cy', server: first.url });
        a.parentElement!.append(c);
        await waitUntil(() => c.state === 'joined' && c.peers.length === 2, 'third member did not join', { timeout: 10_000 });
        expect(c.peers.map((p) => p.id).sort()).to.deep.equal([...ids].sort());
        await waitUntil(
          async () => (await framesDecoded(c, ids[0]!)) > 0 && (await framesDecoded(c, ids[1]!)) > 0,
          'third member gets no frames',
          {
            timeout: 10_000,
          },
        );
        await waitUntil(() => a.peers.length === 2 && b.peers.length === 2);
        const stopped = await serverProcess(`op=stop&id=${second.id}&signal=SIGKILL`);
        second = null;
        expectNoUnhandled(stopped);
      } finally {
        if (second) await serverProcess(`op=stop&id=${second.id}&signal=SIGKILL`);
      }
    }),
  );

  it(
    'goes on through a SIGTERM and restart on the same port: members told, same ids, frames keep coming',
    failOnRejection(async function () {
      this.timeout(60_000);
      const first = await serverProcess('op=start');
      let second: any = null;
      try {
        const [a, b] = await members(first.url, uniqueRoom('sigterm'), ['Ada', 'Bob']);
        const ids = [a.session!.id!, b.session!.id!];
        await waitUntil(async () => (await framesDecoded(a, ids[1]!)) > 0 && (await framesDecoded(b, ids[0]!)) > 0, 'no frames', {
          timeout: 10_000,
        });
        const frames = watchFrames([a, b]);
        const dropped = Promise.all([oneEvent(a, 'rtc-reconnecting'), oneEvent(b, 'rtc-reconnecting')]);
        const back = Promise.all([oneEvent(a, 'rtc-reconnected'), oneEvent(b, 'rtc-reconnected')]);
        const stopped = await serverProcess(`op=stop&id=${first.id}&signal=SIGTERM`);
        expect([stopped.code, stopped.signal]).to.deep.equal([0, null]);
        expect(stopped.ms, 'ms until the process exited').to.be.below(5_000);
        expectNoUnhandled(stopped);
        // told by the server (server-closing) before their sockets closed
        expect((await dropped).map((e) => e.detail.reason)).to.deep.equal(['server closing', 'server closing']);
        expect([a.state, b.state]).to.deep.equal(['reconnecting', 'reconnecting']);
        second = await serverProcess(`op=start&port=${first.port}`);
        const [ea, eb] = await back;
        expect([ea.detail.id, eb.detail.id]).to.deep.equal(ids);
        expect([a.state, b.state]).to.deep.equal(['joined', 'joined']);
        const moreA = await framesDecoded(a, ids[1]!);
        const moreB = await framesDecoded(b, ids[0]!);
        await waitUntil(
          async () => (await framesDecoded(a, ids[1]!)) > moreA + 10 && (await framesDecoded(b, ids[0]!)) > moreB + 10,
          'frames stopped after the restart',
          {
            timeout: 10_000,
          },
        );
        const { longestStall, streams } = frames.stop();
        expect(streams).to.equal(2);
        expect(longestStall, 'longest time without a new decoded frame (ms)').to.be.below(1_000);
        expect(a.peers.map((p) => p.id)).to.deep.equal([ids[1]]);
        expect(b.peers.map((p) => p.id)).to.deep.equal([ids[0]]);
        const stoppedAgain = await serverProcess(`op=stop&id=${second.id}&signal=SIGTERM`);
        second = null;
        expectNoUnhandled(stoppedAgain);
      } finally {
        if (second) await serverProcess(`op=stop&id=${second.id}&signal=SIGKILL`);
      }
    }),
  );

  it(
    'a media-state the server refuses for a passing reason (rate_limited) is sent again: the others do not keep a stale state',
    failOnRejection(async function () {
      this.timeout(40_000);
      // one media-state announcement per 3 s per socket: how many a join spends does not matter,
      // the test changes the microphone until the server refuses a change, then waits for the resend
      const proc = await serverProcess('op=start&RATE_LIMIT_MEDIA_STATE=1/3');
      const sent = watchMediaStates('Ada');
      let stopped = false;
      try {
        const [a, b] = await members(proc.url, uniqueRoom('media-limited'), ['Ada', 'Bob']);
        const bobSeesAda = () => mediaText(b!.peers.find((p) => p.id === a!.session!.id)?.media);
        const adaSays = () => mediaText(a!.session!.media.state);
        await waitUntil(() => bobSeesAda() === adaSays(), 'the state after joining not heard', { timeout: 10_000, interval: 100 });
        const errors: string[] = [];
        a!.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
        let refusal: SentMediaState | undefined;
        for (let change = 1; !refusal; change++) {
          if (change > 4) throw new Error('the server never refused a media-state');
          const from = sent.length;
          a!.session!.media.setAudioEnabled(change % 2 === 0);
          const state = adaSays();
          const answered = () => sent.slice(from).find((s) => s.state === state && s.answer);
          await waitUntil(answered, `no answer to media-state ${state}`, { timeout: 5_000, interval: 50 });
          if (answered()!.answer!.code === 'rate_limited') refusal = answered();
        }
        // The refused state is still Ada's: the session sends it again once the budget allows.
        expect(bobSeesAda(), 'Bob still sees the state before the refused one').not.to.equal(refusal.state);
        await waitUntil(() => bobSeesAda() === refusal!.state, 'the refused change never reached Bob', { timeout: 8_000, interval: 100 });
        const resent = sent.slice(sent.indexOf(refusal) + 1).filter((s) => s.state === refusal!.state);
        expect(
          resent.map((s) => s.answer?.ok),
          'answers to the resend',
        ).to.include(true);
        expect(errors, 'a refusal that was retried is not an error for the page').to.deep.equal([]);
        stopped = true;
        expectNoUnhandled(await serverProcess(`op=stop&id=${proc.id}&signal=SIGTERM`));
      } finally {
        sent.restore();
        if (!stopped) await serverProcess(`op=stop&id=${proc.id}&signal=SIGKILL`);
      }
    }),
  );

  it(
    'a first join refused with rate_limited is tried again after retryAfterMs, staying connecting',
    failOnRejection(async function () {
      this.timeout(30_000);
      // one join per 3 s from this machine's IP
      const proc = await serverProcess('op=start&RATE_LIMIT_JOIN_PER_IP=1/3');
      let stopped = false;
      const room = uniqueRoom('limited');
      try {
        const [a] = await members(proc.url, room, ['Ada']);
        const b = document.createElement('rtc-room');
        Object.assign(b, { room, name: 'Bob', server: proc.url });
        const errors: { code: string; at: number; retryAfterMs: number }[] = [];
        b.addEventListener('rtc-error', (e) => {
          errors.push({ code: e.detail.code, at: performance.now(), retryAfterMs: e.detail.retryAfterMs ?? NaN });
        });
        const refused = oneEvent(b, 'rtc-error');
        const joined = oneEvent(b, 'rtc-joined');
        a.parentElement!.append(b);
        expect((await refused).detail.code).to.equal('rate_limited');
        expect(errors[0]!.retryAfterMs).to.be.within(1, 3_000);
        expect(b.state).to.equal('connecting');
        await joined;
        const last = errors.at(-1)!;
        expect(performance.now() - last.at, 'ms from the last refusal to joined').to.be.at.least(last.retryAfterMs - 50);
        expect(b.state).to.equal('joined');
        expect(errors.map((e) => e.code)).to.deep.equal(errors.map(() => 'rate_limited'));
        await waitUntil(() => a.peers.length === 1 && b.peers.length === 1, 'Ada and Bob do not see each other');
        stopped = true;
        expectNoUnhandled(await serverProcess(`op=stop&id=${proc.id}&signal=SIGTERM`));
      } finally {
        if (!stopped) await serverProcess(`op=stop&id=${proc.id}&signal=SIGKILL`);
      }
    }),
  );

  it(
    'a join while the server is down says connect_failed, stays connecting, and joins once it is up',
    failOnRejection(async function () {
      this.timeout(40_000);
      const probe = await serverProcess('op=start');
      await serverProcess(`op=stop&id=${probe.id}&signal=SIGKILL`); // a port with nothing on it
      let proc: any = null;
      const el = document.createElement('rtc-room');
      Object.assign(el, { room: uniqueRoom('down'), server: probe.url });
      const error = oneEvent(el, 'rtc-error');
      const joined = oneEvent(el, 'rtc-joined');
      document.body.append(el);
      try {
        expect((await error).detail.code).to.equal('connect_failed');
        expect(el.state).to.equal('connecting');
        await holdsFor(() => el.state === 'connecting', 1_000, 'gave up, or left connecting, while the server was down');
        proc = await serverProcess(`op=start&port=${probe.port}`);
        await joined;
        expect(el.state).to.equal('joined');
        el.remove();
        const stopped = await serverProcess(`op=stop&id=${proc.id}&signal=SIGTERM`);
        proc = null;
        expectNoUnhandled(stopped);
      } finally {
        el.remove();
        if (proc) await serverProcess(`op=stop&id=${proc.id}&signal=SIGKILL`);
      }
    }),
  );

  it(
    'a first join whose answer is lost (timeout) leaves and is tried again: joined once, no ghost member',
    failOnRejection(async function () {
      this.timeout(30_000);
      const room = uniqueRoom('lost-ack');
      const [a] = await members('', room, ['Ada']);
      // The server gets Bob's first join and seats him, but its answer never reaches the page.
      const proto = Socket.prototype as unknown as { emit(ev: string, ...args: unknown[]): unknown };
      const emit = proto.emit;
      let dropped = 0;
      proto.emit = function (this: Socket, ev: string, ...args: unknown[]) {
        const ack = args.at(-1) as ((err: Error | null, res?: unknown) => void) & { withError?: boolean };
        if (
          ev === 'join' &&
          (args[0] as { room?: string }).room === room &&
          (args[0] as { name?: string }).name === 'Bob' &&
          dropped === 0
        ) {
          dropped++;
          const lost = Object.assign((err: Error | null) => ack(err ?? new Error('the answer was lost')), { withError: true });
          return emit.call(this, ev, ...args.slice(0, -1), lost);
        }
        return emit.call(this, ev, ...args);
      };
      const b = document.createElement('rtc-room');
      try {
        Object.assign(b, { room, name: 'Bob' });
        const errors: string[] = [];
        b.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
        const refused = oneEvent(b, 'rtc-error');
        const joined = oneEvent(b, 'rtc-joined');
        a.parentElement!.append(b);
        expect((await refused).detail.code).to.equal('timeout');
        expect(b.state).to.equal('connecting');
        await joined;
        expect(dropped).to.equal(1);
        expect(errors).to.deep.equal(['timeout']);
        await waitUntil(
          () => a.peers.length === 1 && b.peers.length === 1 && a.peers[0]!.id === b.session!.id,
          'Ada and Bob do not see each other',
        );
        // Bob's first seat was given up: Ada saw one Bob, and a third member sees exactly two.
        const c = document.createElement('rtc-room');
        Object.assign(c, { room, name: 'Cy' });
        a.parentElement!.append(c);
        await waitUntil(() => c.state === 'joined', 'Cy did not join');
        expect(c.peers.map((p) => p.name).sort()).to.deep.equal(['Ada', 'Bob']);
      } finally {
        proto.emit = emit;
        b.remove();
      }
    }),
  );

  it(
    'a member whose page vanishes is gone for the others within 10 s',
    failOnRejection(async function () {
      this.timeout(30_000);
      const { a, frame, done } = await adaAndPageMember('vanish', '&abrupt');
      try {
        expect(memberPage(frame).__rejections).to.deep.equal([]);
        const left = oneEvent(a, 'rtc-peer-left');
        const t0 = performance.now();
        frame.remove(); // the document is destroyed with no goodbye, as if it crashed
        const { detail } = await left;
        const ms = performance.now() - t0;
        expect(detail.peer.name).to.equal('Cy');
        expect(ms, 'ms until rtc-peer-left').to.be.below(10_000);
        expect(a.peers).to.have.length(0);
      } finally {
        done();
      }
    }),
  );

  it(
    'a member whose page freezes while its socket lingers is gone for the others within 10 s (peer-check)',
    failOnRejection(async function () {
      this.timeout(30_000);
      const { a, frame, done } = await adaAndPageMember('frozen');
      try {
        const errors: string[] = [];
        a.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
        const left = oneEvent(a, 'rtc-peer-left');
        const t0 = performance.now();
        // Its peer connections die and it stops answering the server, but its socket stays open.
        memberPage(frame).__freeze();
        const { detail } = await left;
        const ms = performance.now() - t0;
        expect(detail.peer.name).to.equal('Cy');
        expect(ms, 'ms until rtc-peer-left').to.be.below(10_000);
        expect(a.peers).to.have.length(0);
        expect(errors, 'gone, not given up on').to.deep.equal([]);
        expect(memberPage(frame).__rejections).to.deep.equal([]);
      } finally {
        done();
      }
    }),
  );

  it(
    'a member whose page closes normally says goodbye: gone for the others at once',
    failOnRejection(async function () {
      this.timeout(30_000);
      const { a, frame, done } = await adaAndPageMember('goodbye');
      try {
        expect(memberPage(frame).__rejections).to.deep.equal([]);
        const left = oneEvent(a, 'rtc-peer-left');
        const t0 = performance.now();
        frame.remove(); // pagehide runs: the session sends leave
        await left;
        expect(performance.now() - t0, 'ms until rtc-peer-left').to.be.below(1_000);
      } finally {
        done();
      }
    }),
  );

  it(
    'gives a peer up with peer_unreachable when ICE restarts cannot bring its connection back',
    failOnRejection(async function () {
      this.timeout(45_000);
      const { a, frame, done } = await adaAndPageMember('unreachable');
      try {
        const errors: string[] = [];
        a.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
        const left = oneEvent(a, 'rtc-peer-left');
        const t0 = performance.now();
        // Its peer connection dies while its page and socket live on (and the page answers the
        // server's peer-check): only ICE restarts can tell.
        for (const pc of memberPage(frame).__pcs) pc.close();
        const { detail } = await left;
        const ms = performance.now() - t0;
        expect(detail.peer.name).to.equal('Cy');
        expect(errors).to.include('peer_unreachable');
        // about 5 s until ICE notices, 1.5 s of patience, then three restarts of 5 s each
        expect(ms, 'ms until given up').to.be.within(15_000, 30_000);
        expect(memberPage(frame).__rejections).to.deep.equal([]);
      } finally {
        done();
      }
    }),
  );

  it(
    'an ICE restart mid-call moves the call onto the new ICE generation and the frames go on',
    failOnRejection(async function () {
      this.timeout(30_000);
      const collected = collectPeerConnections();
      const [a, b] = await members('', uniqueRoom('restart-ice'), ['Ada', 'Bob']).finally(collected.restore);
      expect(collected.pcs).to.have.length(2);
      const idB = b.session!.id!;
      const idA = a.session!.id!;
      await waitUntil(async () => (await framesDecoded(b, idA)) > 0, 'no frames');
      /** The local ufrag of the candidate pair Ada's connection to Bob uses now. */
      const selectedUfrag = async () => {
        const report = await a.session!.getStats(idB);
        let ufrag: string | undefined;
        report?.forEach((s) => {
          if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
          const pair = report.get(s.selectedCandidatePairId);
          ufrag = report.get(pair?.localCandidateId)?.usernameFragment ?? s.iceLocalUsernameFragment;
        });
        return ufrag;
      };
      const before = await selectedUfrag();
      expect(before).to.be.a('string');
      await a.session!.restartIce(idB);
      // Both ends took the restart (offer answered, both stable) and the selected pair is of the new generation.
      await waitUntil(
        async () => {
          const now = await selectedUfrag();
          return !!now && now !== before && collected.pcs.every((pc) => pc.signalingState === 'stable');
        },
        'the selected candidate pair is not of a new ICE generation',
        { timeout: 10_000 },
      );
      const frames = await framesDecoded(b, idA);
      await waitUntil(async () => (await framesDecoded(b, idA)) > frames + 10, 'frames stopped after the restart', { timeout: 10_000 });
      expect(a.peers[0]!.connectionState).to.equal('connected');
      a.remove();
      b.remove();
    }),
  );
});
