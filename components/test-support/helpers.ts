import { expect, waitUntil } from '@open-wc/testing';
import type { RtcRoomElement } from '../rtc-room/rtc-room.js';

/** A room name no other test uses. */
export function uniqueRoom(prefix = 'test'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The `<video>` in an element's shadow root. */
export function videoOf(el: Element): HTMLVideoElement {
  const video = el.shadowRoot?.querySelector('video');
  if (!video) throw new Error(`${el.localName} has no <video>`);
  return video;
}

/** Resolves once the video has decoded a frame of real size. */
export async function waitForPicture(el: Element, timeout = 10_000): Promise<HTMLVideoElement> {
  const video = videoOf(el);
  await waitUntil(() => video.videoWidth > 0 && !video.hidden, `${el.localName} shows no picture`, { timeout });
  return video;
}

/**
 * Resolves once `condition` has held at every check (each `interval` ms) for `ms`; rejects with
 * `message` at the first check where it does not. For what must not happen: a retry, a stray
 * message, sound while muted. (Use waitUntil for what must happen.)
 */
export async function holdsFor(condition: () => boolean | Promise<boolean>, ms: number, message: string, interval = 50): Promise<void> {
  const until = performance.now() + ms;
  for (;;) {
    if (!(await condition())) throw new Error(message);
    if (performance.now() >= until) return;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** framesDecoded of the inbound video from one peer, per getStats. */
export async function framesDecoded(room: RtcRoomElement, peerId: string): Promise<number> {
  const report = await room.session?.getStats(peerId);
  let frames = 0;
  report?.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
  });
  return frames;
}

/** The text a slot shows: its assigned nodes, or its fallback content. */
export function slotText(el: Element, name: string): string {
  const slot = el.shadowRoot?.querySelector<HTMLSlotElement>(`slot[name="${name}"]`);
  if (!slot) return '';
  const assigned = slot.assignedNodes({ flatten: true });
  return (assigned.length ? assigned : [...slot.childNodes])
    .map((n) => n.textContent)
    .join('')
    .trim();
}

/** Whether a part of an element's shadow DOM is rendered (not `display: none` itself or above). */
export function partVisible(el: Element, part: string): boolean {
  const node = el.shadowRoot?.querySelector(`[part~="${part}"]`);
  if (!node) throw new Error(`${el.localName} has no part ${part}`);
  return node.checkVisibility();
}

/**
 * A mocha test function that also fails when the page had an unhandled promise rejection while it
 * ran (web-test-runner only logs them): `it('…', failOnRejection(async function () { … }))`.
 */
export function failOnRejection(test: (this: Mocha.Context) => Promise<void>): (this: Mocha.Context) => Promise<void> {
  return async function (this: Mocha.Context) {
    const seen: string[] = [];
    const onRejection = (event: PromiseRejectionEvent) => seen.push(String(event.reason?.stack ?? event.reason));
    window.addEventListener('unhandledrejection', onRejection);
    try {
      await test.call(this);
      await new Promise((r) => setTimeout(r)); // rejection events are dispatched a task later
    } finally {
      window.removeEventListener('unhandledrejection', onRejection);
    }
    if (seen.length) throw new Error(`unhandled promise rejection in the page: ${seen.join('\n')}`);
  };
}

/**
 * Real `rtc-room-server` processes, started and killed by web-test-runner.config.js (`op=start`,
 * `op=stop`, `op=mint`; see PROCESS_ROUTE there).
 */
export async function serverProcess(query: string): Promise<any> {
  const res = await fetch(`/__rtc-test/server-process?${query}`);
  if (!res.ok) throw new Error(`server-process ${query}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A stopped server process's log (`op=stop`'s `output`) has no unhandled promise rejection (server/main.ts logs them). */
export function expectNoUnhandled(stopped: { output: string }): void {
  expect(stopped.output).to.match(/listening on/, 'the process log');
  expect(stopped.output).not.to.match(/unhandled/i);
}
