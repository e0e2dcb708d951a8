import net from 'node:net';
import { cameraLikeFrames } from '../utils/jpeg-fixtures';
import { HEAP_SNAPSHOT_FLAG } from '../utils/server-probe';
import { npmStartNodeFlags, ServerProcess } from '../utils/server-process';

/**
 * The built server as `npm start` runs it, in its own process (so its memory, files and CPU are
 * its own and can be measured), looping camera-like 640×480 frames of ~50 KB at 30 fps: the
 * benchmark's workload.
 */
export async function startStreamServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const folder = await cameraLikeFrames(640, 480, 50);
  const server = new ServerProcess(
    {
      CAMERA: 'images',
      CAMERA_SOURCE: folder,
      CAMERA_WIDTH: '640',
      CAMERA_HEIGHT: '480',
      CAMERA_FRAMERATE: '30',
      ...env,
    },
    undefined,
    [...npmStartNodeFlags(), HEAP_SNAPSHOT_FLAG],
  );
  try {
    await server.listening();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

export function portOf(server: ServerProcess): number {
  return Number(new URL(server.baseUrl).port);
}

/** A viewer that asks for the stream and then never reads a byte of it. */
export async function openStalledReader(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(`GET /video_feed HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
