// The page's few lines of script: listen to the room's events and join. A file of its own (not an
// inline script), so the page works under a strict content security policy (script-src 'self').
const call = document.querySelector('#call');
const people = document.querySelector('#people');
const params = new URLSearchParams(location.search);
const show = (peer) => {
  const li = document.createElement('li');
  li.dataset.id = peer.id;
  li.textContent = peer.name || peer.id;
  people.append(li);
};
call.addEventListener('rtc-joined', (e) => {
  document.querySelector('#state').textContent = 'joined';
  e.detail.peers.forEach(show);
});
call.addEventListener('rtc-peer-joined', (e) => show(e.detail.peer));
call.addEventListener('rtc-peer-left', (e) => people.querySelector(`[data-id="${e.detail.peer.id}"]`)?.remove());
call.addEventListener('rtc-error', (e) => (document.querySelector('#state').textContent = `error: ${e.detail.code}`));
// Attributes (or properties) configure the call; `manual` waits for join().
call.setAttribute('room', params.get('room') ?? 'html-example');
call.setAttribute('name', params.get('name') ?? '');
await customElements.whenDefined('rtc-room');
call.join().catch(() => {}); // failures arrive as rtc-error too
