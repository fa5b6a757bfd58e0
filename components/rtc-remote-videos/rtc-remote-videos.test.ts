import { ContextProvider } from '@lit/context';
import { render } from 'lit';
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import { gridLayout } from '../internal/grid-layout.js';
import { RemoteSlots } from '../internal/remote-slots.js';
import { roomContext, type RoomState } from '../internal/room-context.js';
import type { RemotePeer } from '../core/room-session.js';
import { partVisible, slotText } from '../test-support/helpers.js';
import type { RtcRemoteVideosElement } from './rtc-remote-videos.js';

// The element is driven without a server: the test plays <rtc-room> by providing RoomState snapshots itself.

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((undo) => undo()));

/** A camera stand-in: a canvas redrawn ten times a second, so its stream carries real frames. */
function canvasStream(color: string): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const ctx = canvas.getContext('2d')!;
  let frame = 0;
  const draw = () => {
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = 'white';
    ctx.fillRect((frame++ * 8) % canvas.width, 60, 40, 40);
  };
  draw();
  const timer = setInterval(draw, 100);
  const stream = canvas.captureStream(10);
  cleanups.push(() => {
    clearInterval(timer);
    stream.getTracks().forEach((t) => t.stop());
  });
  return stream;
}

const colors = ['red', 'green', 'blue', 'orange', 'purple', 'teal', 'olive', 'navy'];
let nextPeer = 0;

function makePeer(name: string, connectionState: RTCPeerConnectionState = 'connected'): RemotePeer {
  const n = nextPeer++;
  return { id: `peer-${n}`, name, stream: canvasStream(colors[n % colors.length]!), connectionState, media: null };
}

function roomState(peers: readonly RemotePeer[]): RoomState {
  return {
    status: 'joined',
    session: null,
    localStream: null,
    peers: new Map(peers.map((p) => [p.id, p])),
    room: null,
    slots: new RemoteSlots(() => 0),
  };
}

interface Stage {
  box: HTMLDivElement;
  el: RtcRemoteVideosElement;
  /** Replaces the room state, as <rtc-room> does on every change, and waits for the render. */
  setPeers(peers: readonly RemotePeer[]): Promise<void>;
}

/** An element inside a box of the given size that provides the room context. */
async function stage(width = 1600, height = 900, inner = html``): Promise<Stage> {
  const box = await fixture<HTMLDivElement>(html`<div style="width: ${width}px; height: ${height}px"></div>`);
  const provider = new ContextProvider(box, { context: roomContext, initialValue: roomState([]) });
  const el = document.createElement('rtc-remote-videos');
  render(inner, el); // Light-DOM children first, so that slotted content is there from the start.
  box.append(el);
  await el.updateComplete;
  return {
    box,
    el,
    async setPeers(peers) {
      provider.setValue(roomState(peers));
      await el.updateComplete;
    },
  };
}

const tilesOf = (el: Element) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="tile"]')];
const videosOf = (el: Element) => tilesOf(el).map((t) => t.querySelector<HTMLVideoElement>('[part~="video"]')!);
const namesOf = (el: Element) => tilesOf(el).map((t) => t.querySelector('[part~="name"]')!.textContent!.trim());

/** Waits until the grid has been laid out for `count` tiles (ResizeObserver results arrive a frame later). */
async function laidOut(el: RtcRemoteVideosElement, count: number): Promise<DOMRect[]> {
  await waitUntil(() => {
    const tiles = tilesOf(el);
    return tiles.length === count && tiles.every((t) => t.getBoundingClientRect().width > 0);
  }, `no layout for ${count} tiles`);
  return tilesOf(el).map((t) => t.getBoundingClientRect());
}

describe('<rtc-remote-videos>', () => {
  it('shows the default placeholder and no tiles while nobody else is there', async () => {
    const { el } = await stage();
    expect(tilesOf(el)).to.have.length(0);
    expect(slotText(el, 'placeholder')).to.equal('Waiting for others to join…');
    expect(partVisible(el, 'placeholder')).to.be.true;
    // The placeholder fills the element.
    const rect = el.shadowRoot!.querySelector('[part=placeholder]')!.getBoundingClientRect();
    expect([rect.width, rect.height]).to.deep.equal([1600, 900]);
  });

  it('shows the placeholder outside a room, and takes slotted placeholder content', async () => {
    const lone = await fixture<RtcRemoteVideosElement>(html`<rtc-remote-videos></rtc-remote-videos>`);
    expect(partVisible(lone, 'placeholder')).to.be.true;
    expect(tilesOf(lone)).to.have.length(0);
    const { el } = await stage(1600, 900, html`<b slot="placeholder">Nobody yet</b>`);
    expect(slotText(el, 'placeholder')).to.equal('Nobody yet');
  });

  it('adds and removes tiles as peers come and go, keeping the remaining videos', async () => {
    const { el, setPeers } = await stage();
    const [ann, bob, cid] = [makePeer('Ann'), makePeer('Bob'), makePeer('Cid')];
    await setPeers([ann, bob, cid]);
    await laidOut(el, 3);
    expect(namesOf(el)).to.deep.equal(['Ann', 'Bob', 'Cid']);
    expect(tilesOf(el).map((t) => t.dataset.peerId)).to.deep.equal([ann.id, bob.id, cid.id]);
    expect(el.shadowRoot!.querySelector('[part=placeholder]')).to.equal(null);
    const videos = videosOf(el);
    expect(videos.map((v) => v.srcObject)).to.deep.equal([ann.stream, bob.stream, cid.stream]);
    for (const video of videos) {
      expect(video.muted, 'a tile plays sound').to.be.true;
      expect(video.autoplay && video.playsInline).to.be.true;
    }
    // Real frames decode in every tile.
    await waitUntil(() => videos.every((v) => v.videoWidth === 320 && !v.paused), 'not every tile shows a picture', { timeout: 5000 });

    // Bob leaves: his tile goes, the others keep their <video> elements.
    await setPeers([ann, cid]);
    expect(namesOf(el)).to.deep.equal(['Ann', 'Cid']);
    expect(videosOf(el)[0]).to.equal(videos[0]);
    expect(videosOf(el)[1]).to.equal(videos[2]);

    // A newcomer is added at the end; everyone leaves: the placeholder is back.
    const dee = makePeer('Dee');
    await setPeers([ann, cid, dee]);
    expect(namesOf(el)).to.deep.equal(['Ann', 'Cid', 'Dee']);
    expect(videosOf(el).slice(0, 2)).to.deep.equal([videos[0], videos[2]]);
    await setPeers([]);
    expect(tilesOf(el)).to.have.length(0);
    expect(partVisible(el, 'placeholder')).to.be.true;
  });

  it('marks connected tiles', async () => {
    const { el, setPeers } = await stage();
    const ann = makePeer('Ann', 'connecting');
    const bob = makePeer('Bob', 'connected');
    await setPeers([ann, bob]);
    let [annTile, bobTile] = tilesOf(el);
    expect(annTile!.hasAttribute('connected')).to.be.false;
    expect(bobTile!.hasAttribute('connected')).to.be.true;
    const annVideo = videosOf(el)[0]!;
    // RemotePeer objects are replaced, not mutated; the stream stays the same, and so does the tile.
    await setPeers([
      { ...ann, connectionState: 'connected' },
      { ...bob, connectionState: 'disconnected' },
    ]);
    [annTile, bobTile] = tilesOf(el);
    expect(annTile!.hasAttribute('connected')).to.be.true;
    expect(bobTile!.hasAttribute('connected')).to.be.false;
    expect(videosOf(el)[0]).to.equal(annVideo);
  });

  it('keeps videos playing, without reloading them, when the room state changes', async () => {
    const { el, setPeers } = await stage();
    const ann = makePeer('Ann', 'connecting');
    await setPeers([ann]);
    const [video] = videosOf(el);
    await waitUntil(() => !video!.paused && video!.videoWidth > 0, 'no picture');
    const events: string[] = [];
    for (const type of ['emptied', 'loadstart', 'pause', 'abort']) video!.addEventListener(type, () => events.push(type));
    await setPeers([{ ...ann, connectionState: 'connected' }]);
    await setPeers([{ ...ann, connectionState: 'connected' }, makePeer('Bob')]);
    await laidOut(el, 2);
    // Media events are queued as tasks: give them time to arrive.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100)));
    expect(events).to.deep.equal([]);
    expect(video!.paused).to.be.false;
    expect(video!.srcObject).to.equal(ann.stream);
  });

  it('calls play() on a paused video with a stream, quietly ignoring AbortError only', async () => {
    // Chromium autoplays these muted videos by itself, so watch the calls rather than the outcome.
    const play = HTMLVideoElement.prototype.play;
    const calls: HTMLVideoElement[] = [];
    let failWith: string | null = null;
    HTMLVideoElement.prototype.play = function (this: HTMLVideoElement) {
      calls.push(this);
      return failWith ? Promise.reject(new DOMException('test', failWith)) : play.call(this);
    };
    const warn = console.warn;
    const warnings: unknown[][] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    cleanups.push(() => {
      HTMLVideoElement.prototype.play = play;
      console.warn = warn;
    });
    const { el, setPeers } = await stage();
    const ann = makePeer('Ann');
    await setPeers([ann]);
    const [video] = videosOf(el);
    expect(calls).to.include(video);
    await waitUntil(() => !video!.paused && video!.videoWidth > 0, 'no picture');
    // Paused (here by hand): the next change starts it again.
    video!.pause();
    calls.length = 0;
    failWith = 'AbortError';
    await setPeers([{ ...ann }]);
    expect(calls).to.deep.equal([video]);
    await Promise.resolve();
    expect(warnings).to.deep.equal([]);
    // Any other failure is reported.
    video!.pause();
    failWith = 'NotAllowedError';
    await setPeers([{ ...ann }]);
    await waitUntil(() => warnings.length === 1, 'a play() failure went unreported');
    expect(String(warnings[0]![0])).to.contain('rtc-remote-videos');
    // A playing video is left alone.
    failWith = null;
    video!.pause();
    await setPeers([{ ...ann }]);
    await waitUntil(() => !video!.paused);
    calls.length = 0;
    await setPeers([{ ...ann }]);
    expect(calls).to.deep.equal([]);
  });

  it('hides the name of a member without one', async () => {
    const { el, setPeers } = await stage();
    await setPeers([makePeer(''), makePeer('Bob')]);
    expect(partVisible(el, 'name')).to.be.false;
    expect(tilesOf(el)[1]!.querySelector<HTMLElement>('[part=name]')!.checkVisibility()).to.be.true;
  });

  it('exposes tile, video and name parts to page styles', async () => {
    const sheet = document.createElement('style');
    sheet.textContent = `
      rtc-remote-videos::part(tile) { outline: 3px solid rgb(255, 0, 0); }
      rtc-remote-videos::part(video) { opacity: 0.5; }
      rtc-remote-videos::part(name) { font-weight: 700; }
      rtc-remote-videos::part(placeholder) { font-style: italic; }
    `;
    document.head.append(sheet);
    cleanups.push(() => sheet.remove());
    const { el, setPeers } = await stage();
    expect(getComputedStyle(el.shadowRoot!.querySelector('[part=placeholder]')!).fontStyle).to.equal('italic');
    await setPeers([makePeer('Ann')]);
    const [tile] = tilesOf(el);
    const style = getComputedStyle(tile!);
    expect(style.outlineStyle).to.equal('solid');
    expect(style.outlineWidth).to.equal('3px');
    expect(style.outlineColor).to.equal('rgb(255, 0, 0)');
    expect(getComputedStyle(videosOf(el)[0]!).opacity).to.equal('0.5');
    expect(getComputedStyle(tile!.querySelector('[part=name]')!).fontWeight).to.equal('700');
  });

  it('has documented defaults for its custom properties', async () => {
    const { el, setPeers } = await stage();
    await setPeers([makePeer('Ann'), makePeer('Bob')]);
    const [a, b] = await laidOut(el, 2);
    expect(b!.left - a!.right).to.be.closeTo(8, 0.5);
    const tile = getComputedStyle(tilesOf(el)[0]!);
    expect(tile.borderTopLeftRadius).to.equal('8px');
    expect(tile.backgroundColor).to.equal('rgb(32, 33, 36)');
    expect(getComputedStyle(videosOf(el)[0]!).objectFit).to.equal('cover');
    expect(getComputedStyle(tilesOf(el)[0]!.querySelector('[part=name]')!).color).to.equal('rgb(232, 234, 237)');
  });

  it('is styled through its custom properties', async () => {
    const { el, setPeers } = await stage();
    el.style.cssText = `
      --rtc-grid-gap: 30px; --rtc-tile-radius: 3px; --rtc-tile-background: rgb(1, 2, 3);
      --rtc-video-fit: contain; --rtc-video-color: rgb(4, 5, 6);
    `;
    expect(getComputedStyle(el.shadowRoot!.querySelector('[part=placeholder]')!).backgroundColor).to.equal('rgb(1, 2, 3)');
    await setPeers([makePeer('Ann'), makePeer('Bob')]);
    const [a, b] = await laidOut(el, 2);
    expect(b!.left - a!.right).to.be.closeTo(30, 0.5);
    // The layout takes the gap into account: two tiles plus the gap fill the width.
    expect(a!.width).to.equal((1600 - 30) / 2);
    const tile = getComputedStyle(tilesOf(el)[0]!);
    expect(tile.borderTopLeftRadius).to.equal('3px');
    expect(tile.backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(videosOf(el)[0]!).objectFit).to.equal('contain');
    expect(getComputedStyle(tilesOf(el)[0]!.querySelector('[part=name]')!).color).to.equal('rgb(4, 5, 6)');
  });

  it('wraps rows after the computed column count with a fractional gap', async () => {
    const { el, setPeers } = await stage(1283, 757);
    el.style.setProperty('--rtc-grid-gap', '0.33em');
    const gap = parseFloat(getComputedStyle(el.shadowRoot!.querySelector('.grid')!).columnGap);
    expect(gap % 1).to.not.equal(0);
    const peers: RemotePeer[] = [];
    for (let n = 1; n <= 8; n++) {
      peers.push(makePeer(`P${n}`));
      await setPeers([...peers]);
      const rects = await laidOut(el, n);
      const { columns, rows } = gridLayout({ count: n, width: 1283, height: 757, gap });
      expect(
        rects.filter((r) => r.top === rects[0]!.top),
        `${n} tiles: first row`,
      ).to.have.length(columns);
      expect(new Set(rects.map((r) => r.top)).size, `${n} tiles: rows`).to.equal(rows);
    }
  });

  describe('layout in a 1600×900 box', () => {
    it('fills the box with one tile', async () => {
      const { el, setPeers } = await stage();
      await setPeers([makePeer('Ann')]);
      const [tile] = await laidOut(el, 1);
      const host = el.getBoundingClientRect();
      expect([host.width, host.height]).to.deep.equal([1600, 900]);
      expect([tile!.left - host.left, tile!.top - host.top, tile!.width, tile!.height]).to.deep.equal([0, 0, 1600, 900]);
    });

    it('puts two tiles side by side', async () => {
      const { el, setPeers } = await stage();
      await setPeers([makePeer('Ann'), makePeer('Bob')]);
      const [a, b] = await laidOut(el, 2);
      expect(a!.top).to.equal(b!.top);
      expect(b!.left).to.be.above(a!.right);
      for (const r of [a!, b!]) expect(r.width / r.height).to.be.closeTo(16 / 9, 0.01);
      // Centred vertically.
      const host = el.getBoundingClientRect();
      expect(a!.top - host.top).to.be.closeTo(host.bottom - a!.bottom, 1);
    });

    it('makes four tiles 2×2', async () => {
      const { el, setPeers } = await stage();
      await setPeers(['A', 'B', 'C', 'D'].map((n) => makePeer(n)));
      const rects = await laidOut(el, 4);
      expect(new Set(rects.map((r) => r.left)).size).to.equal(2);
      expect(new Set(rects.map((r) => r.top)).size).to.equal(2);
      expect(rects[0]!.top).to.equal(rects[1]!.top);
      expect(rects[2]!.left).to.equal(rects[0]!.left);
    });

    it('keeps 1 to 8 tiles 16:9, inside the box, without overlap, and centres a short last row', async () => {
      const { el, setPeers } = await stage();
      const host = el.getBoundingClientRect();
      const peers: RemotePeer[] = [];
      for (let n = 1; n <= 8; n++) {
        peers.push(makePeer(`P${n}`));
        await setPeers([...peers]);
        const rects = await laidOut(el, n);
        for (const r of rects) {
          expect(Math.abs(r.width / (16 / 9) - r.height), `${n} tiles: not 16:9`).to.be.at.most(1);
          expect(r.left >= host.left && r.top >= host.top && r.right <= host.right && r.bottom <= host.bottom, `${n} tiles: outside`).to.be
            .true;
        }
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const [a, b] = [rects[i]!, rects[j]!];
            const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            expect(overlap, `${n} tiles: ${i} and ${j} overlap`).to.be.false;
          }
        }
        const last = rects.filter((r) => r.top === rects[n - 1]!.top);
        const centre = (last[0]!.left + last[last.length - 1]!.right) / 2;
        expect(centre, `${n} tiles: last row not centred`).to.be.closeTo((host.left + host.right) / 2, 1);
      }
      // Spot checks against hand-worked figures (gap 8px): 3 → 2+1 at 792px, 5 and 6 → 3 columns.
      await setPeers(peers.slice(0, 3));
      expect((await laidOut(el, 3))[0]!.width).to.equal(792);
      await setPeers(peers.slice(0, 6));
      const six = await laidOut(el, 6);
      expect(new Set(six.map((r) => r.left)).size).to.equal(3);
    });

    it('rearranges when the element is resized', async () => {
      const { box, el, setPeers } = await stage();
      await setPeers([makePeer('Ann'), makePeer('Bob')]);
      await laidOut(el, 2);
      box.style.width = '540px';
      box.style.height = '960px';
      await waitUntil(() => {
        const [a, b] = tilesOf(el).map((t) => t.getBoundingClientRect());
        return a!.left === b!.left && b!.top > a!.bottom;
      }, 'two tiles in a tall box are not stacked');
      const [a] = tilesOf(el).map((t) => t.getBoundingClientRect());
      expect([a!.width, a!.height]).to.deep.equal([540, 303]);
    });
  });

  it('is 16:9 when its container has no definite height', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width: 800px"><rtc-remote-videos></rtc-remote-videos></div>`);
    const el = wrapper.querySelector('rtc-remote-videos')!;
    expect(el.getBoundingClientRect().width).to.equal(800);
    expect(el.getBoundingClientRect().height).to.equal(450);
  });

  it('passes an accessibility audit with tiles', async () => {
    const { el, setPeers } = await stage();
    await setPeers([makePeer('Ann'), makePeer('Bob')]);
    await expect(el).shadowDom.to.be.accessible();
  });
});
