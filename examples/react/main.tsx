// rtc-room in React 19: custom elements are first-class there. Props the element has become
// properties (`noVideo`, `name`), `on<event-name>` props become event listeners, and
// `rtc-room/jsx-react` types all of it.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'rtc-room'; // registers the tags
import type { PeerInfo } from 'rtc-room';
import type {} from 'rtc-room/jsx-react';

const params = new URLSearchParams(location.search);

function Call({ room, name }: { room: string; name: string }) {
  const [state, setState] = useState('idle');
  const [people, setPeople] = useState<PeerInfo[]>([]);
  return (
    <>
      <rtc-room
        room={room}
        name={name}
        onrtc-joined={(e) => {
          setState('joined');
          setPeople(e.detail.peers);
        }}
        onrtc-peer-joined={(e) => setPeople((list) => [...list, e.detail.peer])}
        onrtc-peer-left={(e) => setPeople((list) => list.filter((p) => p.id !== e.detail.peer.id))}
        onrtc-error={(e) => setState(`error: ${e.detail.code}`)}
      >
        <rtc-remote-videos />
        <rtc-local-video mirror />
      </rtc-room>
      <p id="state">{state}</p>
      <ul id="people">
        {people.map((p) => (
          <li key={p.id}>{p.name || p.id}</li>
        ))}
      </ul>
    </>
  );
}

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <Call room={params.get('room') ?? 'react-example'} name={params.get('name') ?? ''} />
  </StrictMode>,
);
