/**
 * Imported first by `/rtc-room.js` (components/autoloader.ts), so it runs before the elements'
 * modules: for each `<rtc-room room>` already in the page (and not `manual`), the signaling
 * connection starts now, while Lit and the elements evaluate and render; the room's session takes
 * it when it joins (core/early-signaling.ts).
 */
import { openEarlySignaling } from '../core/early-signaling.js';

for (const room of document.querySelectorAll('rtc-room[room]:not([manual])')) {
  if (!room.getAttribute('room')) continue;
  openEarlySignaling({ server: room.getAttribute('server') || undefined, websocketOnly: room.hasAttribute('websocket-only') });
}
