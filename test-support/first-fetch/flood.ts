/**
 * The first-fetch experiment's flood (run.ts), as round 64 measured it: `count` connections
 * opened at once, each with 20 requests pipelined, each reading 4 KB every 0.1 s (its answers
 * progress, slowly). Tells its parent once all are connected (the kernel's handshake: the host
 * may not have accepted them yet).
 */
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
let connected = 0;
for (let i = 0; i < count; i++) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.pause();
  socket.once('connect', () => {
    socket.write('GET /flood HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20));
    if (++connected === count) process.send?.({ connected });
  });
  const reader = setInterval(() => socket.read(4096) ?? socket.read(), 100);
  socket.once('close', () => clearInterval(reader));
}
