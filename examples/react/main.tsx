// rtc-room in React with `rtc-room/react`: a component per tag (made with @lit/react). Props are
// the elements' properties (`name`, `mirror`), events are camelCase props typed with their event
// (`onRtcPeerJoined`), and a misspelt prop or event does not compile. Importing it registers the tags.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { PeerInfo } from 'rtc-room';
import { RtcLocalVideo, RtcRemoteVideos, RtcRoom } from 'rtc-room/react';

const params = new URLSearchParams(location.search);

function Call({ room, name }: { room: string; name: string }) {
  const [state, setState] = useState('idle');
  const [people, setPeople] = useState<PeerInfo[]>([]);
  return (
    <>
      <RtcRoom
        room={room}
        name={name}
        onRtcJoined={(e) => {
          setState('joined');
          setPeople(e.detail.peers);
        }}
        onRtcPeerJoined={(e) => setPeople((list) => [...list, e.detail.peer])}
        onRtcPeerLeft={(e) => setPeople((list) => list.filter((p) => p.id !== e.detail.peer.id))}
        onRtcError={(e) => setState(`error: ${e.detail.code}`)}
      >
        <RtcRemoteVideos />
        <RtcLocalVideo mirror />
      </RtcRoom>
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
