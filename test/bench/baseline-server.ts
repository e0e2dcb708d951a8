/*
 * The benchmark's reference point: the least a Node server can do to stream MJPEG. A bare
 * node:net server that, once per frame, builds one part and writes that same buffer to every
 * connected socket. No framework, no backpressure handling, no per-client state.
 *
 * Usage: tsx baseline-server.ts <folder of .jpg> <fps>; prints "listening on http://127.0.0.1:<port> (".
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [folder, fpsArg] = process.argv.slice(2);
const images = readdirSync(folder)
  .filter((name) => name.endsWith('.jpg'))
  .sort()
  .map((name) => readFileSync(join(folder, name)));
const intervalMs = 1000 / Number(fpsArg || 30);
const sockets = new Set<net.Socket>();
const RESPONSE_HEAD = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n' +
    'Cache-Control: no-cache\r\nConnection: close\r\n\r\n--frame\r\n',
);

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.once('data', () => {
    socket.write(RESPONSE_HEAD);
    sockets.add(socket);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => sockets.delete(socket));
});

let index = 0;
let due = performance.now();
function tick(): void {
  const jpeg = images[index++ % images.length];
  const stamp = ((performance.timeOrigin + performance.now()) / 1000).toFixed(6);
  const part = Buffer.concat([
    Buffer.from(
      `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\nX-Timestamp: ${stamp}\r\n\r\n`,
    ),
    jpeg,
    Buffer.from('\r\n--frame\r\n'),
  ]);
  for (const socket of sockets) socket.write(part);
  due += intervalMs;
  setTimeout(tick, Math.max(0, due - performance.now()));
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on http://127.0.0.1:${address.port} (baseline)`);
  tick();
});
