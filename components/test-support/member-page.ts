// A member in its own document: `member-page.html?room=R&name=N&server=URL`.
import '../define.js';

const params = new URLSearchParams(location.search);
const room = document.createElement('rtc-room');
room.room = params.get('room') ?? '';
room.name = params.get('name') ?? '';
room.server = params.get('server') ?? '';
room.append(document.createElement('rtc-local-video'));
document.body.append(room);
