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
   * Makes the page act frozen (a hung renderer): its peer connections die and it stops answering
   * the server's `peer-check`, while its socket lives on (pings are answered below the page's script).
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
// Socket.IO hands every server event to the page through emitEvent; a frozen page hears none of peer-check.
const proto = Socket.prototype as unknown as { emitEvent(args: unknown[]): void };
const emitEvent = proto.emitEvent;
proto.emitEvent = function (this: Socket, args: unknown[]) {
  if (frozen && args[0] === 'peer-check') return;
  emitEvent.call(this, args);
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
