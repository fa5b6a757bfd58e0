import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom } from './test-support/helpers.js';

/** Real `rtc-room-server` processes, started and killed by web-test-runner.config.js. */
async function serverProcess(query: string): Promise<any> {
  const res = await fetch(`/__rtc-test/server-process?${query}`);
  if (!res.ok) throw new Error(`server-process ${query}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function members(server: string, room: string, names: string[]): Promise<RtcRoomElement[]> {
  const box = await fixture<HTMLDivElement>(html`<div></div>`);
  const rooms = names.map((name) => {
    const el = document.createElement('rtc-room');
    Object.assign(el, { room, name, server });
    el.append(document.createElement('rtc-remote-videos'));
    box.append(el);
    return el;
  });
  await waitUntil(() => rooms.every((r) => r.state === 'joined' && r.peers.length === names.length - 1), 'members did not join', { timeout: 10_000 });
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

describe('calls that survive', () => {
  it('goes on through a SIGKILL and restart of the server: frames keep coming, same ids, signaling works after', async function () {
    this.timeout(60_000);
    const first = await serverProcess('op=start');
    let second: any = null;
    try {
      const room = uniqueRoom('restart');
      const [a, b] = await members(first.url, room, ['Ada', 'Bob']);
      const ids = [a.session!.id!, b.session!.id!];
      await waitUntil(async () => (await framesDecoded(a, ids[1]!)) > 0 && (await framesDecoded(b, ids[0]!)) > 0, 'no frames', { timeout: 10_000 });
      const frames = watchFrames([a, b]);
      const dropped = Promise.all([oneEvent(a, 'rtc-reconnecting'), oneEvent(b, 'rtc-reconnecting')]);
      const killed = await serverProcess(`op=stop&id=${first.id}&signal=SIGKILL`);
      expect(killed.signal).to.equal('SIGKILL');
      await dropped;
      expect([a.state, b.state, a.getAttribute('state')]).to.deep.equal(['reconnecting', 'reconnecting', 'reconnecting']);
      const back = Promise.all([oneEvent(a, 'rtc-reconnected'), oneEvent(b, 'rtc-reconnected')]);
      second = await serverProcess(`op=start&port=${first.port}`);
      const [ea, eb] = await back;
      expect([ea.detail.id, eb.detail.id]).to.deep.equal(ids);
      await waitUntil(() => a.state === 'joined' && b.state === 'joined');
      await new Promise((r) => setTimeout(r, 1_000));
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
      await waitUntil(async () => (await framesDecoded(c, ids[0]!)) > 0 && (await framesDecoded(c, ids[1]!)) > 0, 'third member gets no frames', {
        timeout: 10_000,
      });
      await waitUntil(() => a.peers.length === 2 && b.peers.length === 2);
    } finally {
      if (second) await serverProcess(`op=stop&id=${second.id}&signal=SIGKILL`);
    }
  });

  it('a join while the server is down says connect_failed, stays connecting, and joins once it is up', async function () {
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
      await new Promise((r) => setTimeout(r, 1_000));
      expect(el.state).to.equal('connecting');
      proc = await serverProcess(`op=start&port=${probe.port}`);
      await joined;
      expect(el.state).to.equal('joined');
    } finally {
      el.remove();
      if (proc) await serverProcess(`op=stop&id=${proc.id}&signal=SIGKILL`);
    }
  });

  it('a member whose page vanishes is gone for the others within 10 s', async function () {
    this.timeout(30_000);
    const room = uniqueRoom('vanish');
    const [a] = await members('', room, ['Ada']);
    const frame = document.createElement('iframe');
    frame.src = `/components/test-support/member-page.html?room=${room}&name=Cy&abrupt`;
    document.body.append(frame);
    try {
      await waitUntil(() => a.peers.length === 1 && a.peers[0]!.connectionState === 'connected', 'the page member did not connect', { timeout: 15_000 });
      const left = oneEvent(a, 'rtc-peer-left');
      const t0 = performance.now();
      frame.remove(); // the document is destroyed with no goodbye, as if it crashed
      const { detail } = await left;
      const ms = performance.now() - t0;
      expect(detail.peer.name).to.equal('Cy');
      expect(ms, 'ms until rtc-peer-left').to.be.below(10_000);
      expect(a.peers).to.have.length(0);
    } finally {
      frame.remove();
      a.remove();
    }
  });

  it('a member whose page closes normally says goodbye: gone for the others at once', async function () {
    this.timeout(30_000);
    const room = uniqueRoom('goodbye');
    const [a] = await members('', room, ['Ada']);
    const frame = document.createElement('iframe');
    frame.src = `/components/test-support/member-page.html?room=${room}&name=Cy`;
    document.body.append(frame);
    try {
      await waitUntil(() => a.peers.length === 1 && a.peers[0]!.connectionState === 'connected', 'the page member did not connect', { timeout: 15_000 });
      const left = oneEvent(a, 'rtc-peer-left');
      const t0 = performance.now();
      frame.remove(); // pagehide runs: the session sends leave
      await left;
      expect(performance.now() - t0, 'ms until rtc-peer-left').to.be.below(1_000);
    } finally {
      frame.remove();
      a.remove();
    }
  });

  it('gives a peer up with peer_unreachable when ICE restarts cannot bring its connection back', async function () {
    this.timeout(45_000);
    const room = uniqueRoom('unreachable');
    const [a] = await members('', room, ['Ada']);
    const frame = document.createElement('iframe');
    frame.src = `/components/test-support/member-page.html?room=${room}&name=Cy`;
    document.body.append(frame);
    try {
      await waitUntil(() => a.peers.length === 1 && a.peers[0]!.connectionState === 'connected', 'the page member did not connect', { timeout: 15_000 });
      const errors: string[] = [];
      a.addEventListener('rtc-error', (e) => errors.push(e.detail.code));
      const left = oneEvent(a, 'rtc-peer-left');
      const t0 = performance.now();
      // Its peer connection dies while its page and socket live on: only ICE can tell.
      for (const pc of (frame.contentWindow as unknown as { __pcs: RTCPeerConnection[] }).__pcs) pc.close();
      const { detail } = await left;
      const ms = performance.now() - t0;
      expect(detail.peer.name).to.equal('Cy');
      expect(errors).to.include('peer_unreachable');
      // about 5 s until ICE notices, 1.5 s of patience, then three restarts of 5 s each
      expect(ms, 'ms until given up').to.be.within(15_000, 30_000);
    } finally {
      frame.remove();
      a.remove();
    }
  });

  it('an ICE restart mid-call gathers new candidates and the frames go on', async function () {
    this.timeout(30_000);
    const [a, b] = await members('', uniqueRoom('restart-ice'), ['Ada', 'Bob']);
    const idB = b.session!.id!;
    const idA = a.session!.id!;
    await waitUntil(async () => (await framesDecoded(b, idA)) > 0, 'no frames');
    const ufrags = async () => {
      const found = new Set<string>();
      (await a.session!.getStats(idB))?.forEach((s) => {
        if (s.type === 'local-candidate' && s.usernameFragment) found.add(s.usernameFragment);
      });
      return found;
    };
    const before = await ufrags();
    expect(before.size).to.be.greaterThan(0);
    await a.session!.restartIce(idB);
    await waitUntil(async () => [...(await ufrags())].some((u) => !before.has(u)), 'no candidates of a new ICE generation', { timeout: 10_000 });
    const frames = await framesDecoded(b, idA);
    await waitUntil(async () => (await framesDecoded(b, idA)) > frames + 10, 'frames stopped after the restart', { timeout: 10_000 });
    expect(a.peers[0]!.connectionState).to.equal('connected');
    a.remove();
    b.remove();
  });
});
