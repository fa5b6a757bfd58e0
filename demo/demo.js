// The demo page's glue: a lobby (camera preview, devices, a setup check, the room to join), the
// call, and the call's state and errors shown to the person. /?room=NAME opens the lobby with NAME
// filled in, so a link can be shared; joining always takes a click on Join (nothing is sent before).
import { deviceStore } from '/rtc-room.js';

const call = document.getElementById('call');
const lobby = document.getElementById('lobby');
const form = document.getElementById('join-form');
const roomInput = document.getElementById('room-input');
const nameInput = document.getElementById('name-input');
const cameraSelect = document.getElementById('camera-select');
const microphoneSelect = document.getElementById('microphone-select');
const preview = document.getElementById('preview');
const previewOff = document.getElementById('preview-off');
const preflight = document.getElementById('preflight');
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

// In a call from the moment a room is set (joining starts on the next update) until it is left.
const inCall = () => !!call.room && call.state !== 'error';

function render() {
  const state = call.state;
  const room = call.room;
  const peers = call.peers.length;
  status.dataset.state = state;
  status.textContent =
    state === 'joined'
      ? `In “${room}” · ${peers === 0 ? 'nobody else yet' : peers === 1 ? '1 other person' : `${peers} other people`}`
      : state === 'connecting'
        ? `Joining “${room}”…`
        : state === 'reconnecting'
          ? 'Reconnecting — the call goes on'
          : 'Not in a call';
  lobby.hidden = inCall();
  call.hidden = !inCall();
  if (inCall()) stopPreview();
  else void startPreview();
}

// ---- the lobby: a preview of the chosen camera, and the devices (remembered for the call) ----

let previewStream = null;
let previewWanted = false;

function stopPreview() {
  previewWanted = false;
  for (const track of previewStream?.getTracks() ?? []) track.stop();
  previewStream = null;
  preview.srcObject = null;
  previewOff.hidden = false;
}

async function startPreview() {
  if (previewWanted) return;
  previewWanted = true;
  const deviceId = deviceStore.load('videoinput');
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: deviceId ? { deviceId: { exact: deviceId } } : true,
    });
    if (!previewWanted) return void stream.getTracks().forEach((t) => t.stop());
    previewStream = stream;
    preview.srcObject = stream;
    previewOff.hidden = true;
    await listDevices();
  } catch {
    previewOff.textContent = 'No camera preview (blocked or missing)';
    previewWanted = false;
  }
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [select, kind] of [
    [cameraSelect, 'videoinput'],
    [microphoneSelect, 'audioinput'],
  ]) {
    const chosen = deviceStore.load(kind);
    select.replaceChildren(
      ...devices
        .filter((d) => d.kind === kind)
        .map(
          (d, i) =>
            new Option(d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`, d.deviceId, false, d.deviceId === chosen),
        ),
    );
  }
}

cameraSelect.addEventListener('change', () => {
  deviceStore.save('videoinput', cameraSelect.value);
  stopPreview();
  void startPreview();
});
microphoneSelect.addEventListener('change', () => deviceStore.save('audioinput', microphoneSelect.value));
navigator.mediaDevices?.addEventListener('devicechange', () => !inCall() && void listDevices());

function setRoomInUrl(room) {
  const url = new URL(location.href);
  if (room) url.searchParams.set('room', room);
  else url.searchParams.delete('room');
  history.replaceState(null, '', url);
}

roomInput.addEventListener('input', () => (preflight.room = roomInput.value.trim()));

form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  const room = roomInput.value.trim();
  call.name = nameInput.value.trim();
  localStorage.setItem('rtc-room-demo-name', call.name);
  setRoomInUrl(room);
  stopPreview(); // the call opens the camera itself
  render();
  if (call.room === room) call.join().catch(() => {});
  else call.room = room;
});

// The toolbar's leave button: back to the lobby (a changed room also leaves, to join the new one).
call.addEventListener('rtc-left', (event) => {
  if (event.detail.room !== call.room) return;
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

// A shared link fills in the room only: the name is the person's own (remembered on this origin,
// never taken from a link), and joining waits for their click.
nameInput.value = localStorage.getItem('rtc-room-demo-name') ?? '';
const initialRoom = new URLSearchParams(location.search).get('room');
await customElements.whenDefined('rtc-room');
if (initialRoom) {
  roomInput.value = initialRoom;
  preflight.room = initialRoom;
  document.getElementById('join-button').focus();
}
render();
