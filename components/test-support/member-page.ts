// A member in its own document: `member-page.html?room=R&name=N&server=URL`.
import '../define.js';

const params = new URLSearchParams(location.search);
// ?abrupt: behave like a crashed page, which never says goodbye (no pagehide handlers run).
if (params.has('abrupt')) {
  const add = window.addEventListener.bind(window);
  window.addEventListener = ((type: string, ...rest: [EventListenerOrEventListenerObject, AddEventListenerOptions?]) => {
    if (type !== 'pagehide') add(type, ...rest);
  }) as typeof window.addEventListener;
}
const room = document.createElement('rtc-room');
room.room = params.get('room') ?? '';
room.name = params.get('name') ?? '';
room.server = params.get('server') ?? '';
room.append(document.createElement('rtc-local-video'));
document.body.append(room);

// Tests reach this page's peer connections (to break one behind the session's back).
const created: RTCPeerConnection[] = [];
(window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = created;
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    created.push(this);
  }
} as typeof RTCPeerConnection;
