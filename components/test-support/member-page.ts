// A member in its own document: `member-page.html?room=R&name=N&server=URL`.
import { Socket } from 'socket.io-client';
import '../define.js';

/** What tests read from this page's window. */
export interface MemberPageWindow extends Window {
  /** Every RTCPeerConnection the page made (to break one behind the session's back). */
  __pcs: RTCPeerConnection[];
  /** The reasons of every unhandled promise rejection in this page. */
  __rejections: string[];
  /**
   * Makes the page act frozen (a hung renderer): its peer connections die and its script hears and
   * sends nothing (no answer to the server's `peer-check`), while its socket lives on.
   */
  __freeze(): void;
}
const win = window as unknown as MemberPageWindow;

win.__rejections = [];
window.addEventListener('unhandledrejection', (event) => win.__rejections.push(String(event.reason)));

const params = new URLSearchParams(location.search);
// ?abrupt: behave like a crashed page, which never says goodbye (no pagehide handlers run).
if (params.has('abrupt')) {
  const add = window.addEventListener.bind(window);
  window.addEventListener = ((type: string, ...rest: [EventListenerOrEventListenerObject, AddEventListenerOptions?]) => {
    if (type !== 'pagehide') add(type, ...rest);
  }) as typeof window.addEventListener;
}

let frozen = false;
// A frozen page's script neither hears nor sends anything: Socket.IO hands every server event to
// the page through emitEvent (so peer-check goes unanswered), and the page sends through emit (so,
// dropped by the server, it does not join again). Pings are answered below both.
const proto = Socket.prototype as unknown as { emitEvent(args: unknown[]): void; emit(...args: unknown[]): unknown };
const { emitEvent, emit } = proto;
proto.emitEvent = function (this: Socket, args: unknown[]) {
  if (!frozen) emitEvent.call(this, args);
};
proto.emit = function (this: Socket, ...args: unknown[]) {
  return frozen ? this : emit.apply(this, args);
};
win.__freeze = () => {
  frozen = true;
  for (const pc of created) pc.close();
};

const room = document.createElement('rtc-room');
room.room = params.get('room') ?? '';
room.name = params.get('name') ?? '';
room.server = params.get('server') ?? '';
room.append(document.createElement('rtc-local-video'));
document.body.append(room);

const created: RTCPeerConnection[] = [];
win.__pcs = created;
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    created.push(this);
  }
} as typeof RTCPeerConnection;
