import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './define.js';
import type { RtcRoomElement } from './rtc-room/rtc-room.js';
import { framesDecoded, uniqueRoom } from './test-support/helpers.js';

const NAMES = ['Ada', 'Bob', 'Cy', 'Di', 'Ed'];

/** `count` members of one room in one page, each an <rtc-room manual> with a grid inside. */
async function members(room: string, count: number) {
  const box = await fixture<HTMLDivElement>(html`
    <div style="display: grid; grid-template-columns: repeat(2, 480px); gap: 4px">
      ${NAMES.slice(0, count).map(
        (name) =>
          html`<rtc-room manual room=${room} name=${name}>
            <rtc-remote-videos style="width: 480px; height: 270px"></rtc-remote-videos>
          </rtc-room>`,
      )}
    </div>
  `);
  return { box, rooms: [...box.querySelectorAll('rtc-room')] as RtcRoomElement[] };
}

const tilesOf = (room: RtcRoomElement) => [...room.querySelector('rtc-remote-videos')!.shadowRoot!.querySelectorAll('[part~="tile"]')];

/** Every member is connected to every other one and has decoded frames from each. */
async function fullyConnected(rooms: RtcRoomElement[]): Promise<boolean> {
  for (const room of rooms) {
    if (room.peers.length !== rooms.length - 1) return false;
    for (const peer of room.peers) {
      if (peer.connectionState !== 'connected') return false;
      if ((await framesDecoded(room, peer.id)) === 0) return false;
    }
  }
  return true;
}

describe('group calls: a mesh of four through the real server', function () {
  this.timeout(40_000);

  it("shows three remote tiles with decoded frames on every member, and plays every member's sound", async () => {
    const { rooms } = await members(uniqueRoom('four'), 4);
    for (const room of rooms) await room.join();
    await waitUntil(() => fullyConnected(rooms), 'the mesh of four did not connect', { timeout: 20_000, interval: 250 });
    for (const room of rooms) {
      const tiles = tilesOf(room);
      expect(tiles, room.name).to.have.length(3);
      await waitUntil(
        () => tiles.every((t) => (t.querySelector('video') as HTMLVideoElement).videoWidth > 0),
        `${room.name} has a tile without a picture`,
        { timeout: 10_000 },
      );
      const shown = tiles.map((t) => t.querySelector('[part~="name"]')!.textContent!.trim()).sort();
      expect(shown).to.deep.equal(
        NAMES.slice(0, 4)
          .filter((n) => n !== room.name)
          .sort(),
      );
    }
    // Every member's sound plays, though no element shows it on its own.
    for (const room of rooms) {
      const audios = [...room.shadowRoot!.querySelectorAll('audio')];
      expect(audios).to.have.length(3);
      await waitUntil(() => audios.every((a) => !a.paused && a.currentTime > 0), `${room.name} does not play every member's sound`);
    }
  });

  it('turns a fifth member away with room_full', async () => {
    const name = uniqueRoom('five');
    const { box, rooms } = await members(name, 4);
    // seats are what counts: four members without camera or microphone fill the room
    for (const room of rooms) {
      Object.assign(room, { noVideo: true, noAudio: true });
      await room.join();
    }
    const fifth = document.createElement('rtc-room');
    fifth.manual = true;
    fifth.room = name;
    box.append(fifth);
    const error = oneEvent(fifth, 'rtc-error');
    await fifth.join().catch(() => {});
    expect((await error).detail.code).to.equal('room_full');
  });

  it('shrinks the others to one tile within two seconds when two leave at once', async () => {
    const { rooms } = await members(uniqueRoom('shrink'), 4);
    for (const room of rooms) await room.join();
    await waitUntil(() => rooms.every((r) => tilesOf(r).length === 3), 'the grids never filled', { timeout: 20_000 });
    const [a, b, c, d] = rooms as [RtcRoomElement, RtcRoomElement, RtcRoomElement, RtcRoomElement];
    const started = performance.now();
    void c.leave();
    void d.leave();
    await waitUntil(() => tilesOf(a).length === 1 && tilesOf(b).length === 1, 'the grids did not shrink', { timeout: 2_000 });
    expect(performance.now() - started).to.be.below(2_000);
    expect(tilesOf(a)[0]!.querySelector('[part~="name"]')!.textContent!.trim()).to.equal('Bob');
    expect(a.shadowRoot!.querySelectorAll('audio')).to.have.length(1);
  });

  it('connects everyone when four join within the same 50 ms (no glare dead-lock)', async () => {
    const { rooms } = await members(uniqueRoom('glare'), 4);
    const started = performance.now();
    const joins = rooms.map((r) => r.join());
    expect(performance.now() - started).to.be.below(50);
    await Promise.all(joins);
    await waitUntil(() => fullyConnected(rooms), 'a simultaneous mesh of four did not connect', { timeout: 20_000, interval: 250 });
  });
});
