// The bench's reference: a minimal hand-written call over the rtc-room server's protocol (join,
// signal; see PROTOCOL.md), written for scripts/bench-start.mjs. Socket.IO's own client script (the
// server serves it), getUserMedia, one RTCPeerConnection per other member with perfect negotiation
// (the W3C example), no UI. The member that joins offers; the camera and the socket start at once.
// It carries the same `rtc:*` marks as the tags (components/core/marks.ts).
import { io } from '/socket.io/socket.io.esm.min.js';

const mark = (name) => performance.mark(`rtc:${name}`);
mark('module');
const room = new URLSearchParams(location.search).get('room');
const peers = new Map();
let self = '';
let iceServers = [];

const camera = navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } }).then((stream) => {
  mark('camera-ready');
  show(stream, true);
  return stream;
});

const socket = io({ transports: ['websocket'] });
socket.on('connect', () => {
  mark('socket-open');
  socket.emit('join', { room }, (answer) => {
    if (!answer.ok) throw new Error(answer.error.message);
    mark('join-answer');
    ({ id: self, iceServers } = answer);
    for (const peer of answer.peers) connect(peer.id); // the newcomer offers
  });
});
socket.on('peer-left', ({ id }) => peers.get(id)?.pc.close());
socket.on('signal', async ({ from, description, candidate }) => {
  const peer = peers.get(from) ?? connect(from);
  const { pc } = peer;
  try {
    if (description) {
      const collision = description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === 'answer') mark('answer-received');
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        send(from, { description: pc.localDescription });
      }
    } else if (candidate) {
      await pc.addIceCandidate(candidate).catch((e) => peer.ignoreOffer || Promise.reject(e));
    }
  } catch (error) {
    console.error(error);
  }
});

function send(to, signal) {
  socket.emit('signal', { to, ...signal }, () => {});
}

function connect(id) {
  const pc = new RTCPeerConnection({ iceServers });
  const peer = { pc, polite: self < id, makingOffer: false, ignoreOffer: false };
  peers.set(id, peer);
  camera.then((stream) => stream.getTracks().forEach((track) => pc.addTrack(track, stream)));
  pc.onnegotiationneeded = async () => {
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      send(id, { description: pc.localDescription });
      if (pc.localDescription.type === 'offer') mark('offer-sent');
    } finally {
      peer.makingOffer = false;
    }
  };
  pc.onicecandidate = ({ candidate }) => candidate && send(id, { candidate: candidate.toJSON() });
  pc.oniceconnectionstatechange = () => pc.iceConnectionState === 'connected' && mark('ice-connected');
  pc.ontrack = ({ streams: [stream] }) => stream && show(stream, false);
  return peer;
}

function show(stream, local) {
  if ([...document.querySelectorAll('video')].some((v) => v.srcObject === stream)) return;
  const video = Object.assign(document.createElement('video'), { autoplay: true, playsInline: true, muted: true, srcObject: stream });
  video.dataset.local = String(local);
  document.body.append(video);
}
