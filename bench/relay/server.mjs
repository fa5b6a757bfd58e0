// The load bench's reference (scripts/bench-load.mjs): a bare Socket.IO relay written for the
// purpose, speaking as much of our protocol as the bench uses (`join` into rooms, `signal` to a
// member), with no validation, limits, presence, grace or metrics. `node bench/relay/server.mjs`
// listens on PORT (0: any) at 127.0.0.1 and says "listening on http://127.0.0.1:<port>".
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const capacity = Number(process.env.ROOM_CAPACITY ?? 2);
const http = createServer();
const io = new Server(http, { serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', ({ room }, ack) => {
    const peers = [...(io.sockets.adapter.rooms.get(room) ?? [])];
    if (peers.length >= capacity) return ack({ ok: false, error: { code: 'room_full', message: 'full' } });
    socket.join(room);
    socket.to(room).emit('peer-joined', { id: socket.id, name: '' });
    ack({ ok: true, id: socket.id, peers: peers.map((id) => ({ id, name: '' })), iceServers: [] });
  });
  socket.on('signal', ({ to, ...signal }, ack) => {
    io.to(to).emit('signal', { from: socket.id, ...signal });
    ack({ ok: true });
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => io.close(() => process.exit(0)));
