// The demo page's glue: a form that sets <rtc-room>'s attributes, and the call's state and errors
// shown to the person. /?room=NAME joins NAME at once, so a link can be shared.
const call = document.getElementById('call');
const form = document.getElementById('join-form');
const roomInput = document.getElementById('room-input');
const nameInput = document.getElementById('name-input');
const joinButton = document.getElementById('join-button');
const leaveButton = document.getElementById('leave-button');
const status = document.getElementById('status');
const errorBox = document.getElementById('error');

const MESSAGES = {
  room_full: 'This room is full. Try another room name.',
  bad_request: 'That room name is not valid: use 1 to 64 letters, digits, dots, dashes or underscores.',
  connect_failed: 'The call server cannot be reached; trying again…',
  peer_unreachable: 'The connection to one person was lost.',
  media_denied: 'Camera and microphone are blocked, so the others will not see or hear you. Allow them in the address bar and join again.',
  no_device: 'No camera or microphone was found; you can still watch and listen.',
  autoplay_blocked: 'Click anywhere on the page to hear the others.',
};

function showError(detail) {
  errorBox.textContent = MESSAGES[detail.code] ?? detail.message;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function render() {
  const state = call.state;
  const room = call.room;
  const peers = call.peers.length;
  status.textContent =
    state === 'joined'
      ? `In room “${room}” — ${peers === 0 ? 'nobody else yet' : peers === 1 ? '1 other person' : `${peers} other people`}.`
      : state === 'connecting'
        ? `Joining “${room}”…`
        : state === 'reconnecting'
          ? `Reconnecting to the call server — the call goes on.`
          : state === 'error'
          ? 'Not in a room.'
          : 'Not in a room.';
  joinButton.disabled = state === 'connecting';
  leaveButton.disabled = !(state === 'joined' || state === 'connecting' || state === 'reconnecting');
}

function setRoomInUrl(room) {
  const url = new URL(location.href);
  if (room) url.searchParams.set('room', room);
  else url.searchParams.delete('room');
  history.replaceState(null, '', url);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  const room = roomInput.value.trim();
  call.name = nameInput.value.trim();
  localStorage.setItem('rtc-room-demo-name', call.name);
  setRoomInUrl(room);
  if (call.room === room) call.join().catch(() => {});
  else call.room = room;
});

leaveButton.addEventListener('click', async () => {
  await call.leave();
  call.room = '';
  setRoomInUrl('');
  render();
});

call.addEventListener('rtc-error', (event) => showError(event.detail));
for (const type of ['rtc-joined', 'rtc-reconnected']) {
  call.addEventListener(type, () => {
    clearError();
    render();
  });
}
for (const type of ['rtc-left', 'rtc-peer-joined', 'rtc-peer-left']) call.addEventListener(type, render);
new MutationObserver(render).observe(call, { attributes: true, attributeFilter: ['state'] });

const params = new URLSearchParams(location.search);
nameInput.value = params.get('name') ?? localStorage.getItem('rtc-room-demo-name') ?? '';
const initialRoom = params.get('room');
await customElements.whenDefined('rtc-room');
if (initialRoom) {
  roomInput.value = initialRoom;
  call.name = nameInput.value;
  call.room = initialRoom;
}
render();
