import { MjpegReader } from './utils/mjpeg-reader';
import { ServerProcess } from './utils/server-process';

describe('shutdown', () => {
  let server: ServerProcess;

  afterEach(async () => {
    await server.stop();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s ends open streams cleanly, stops the camera and exits within 3 s',
    async (signal) => {
      server = new ServerProcess({ CAMERA_WIDTH: '320', CAMERA_HEIGHT: '240' });
      const baseUrl = await server.listening();
      const readers = await Promise.all(
        Array.from({ length: 5 }, async () => MjpegReader.open(`${baseUrl}/video_feed`)),
      );
      await Promise.all(readers.map(async (reader) => reader.waitForParts(2)));

      const signalledAt = Date.now();
      server.signal(signal);
      const exit = await server.exited;
      const took = Date.now() - signalledAt;

      expect(took).toBeLessThan(3000);
      // Nest re-raises the signal after its shutdown hooks ran: the process ends by that signal.
      expect(exit.signal === signal || exit.code === 0).toBe(true);
      await Promise.all(readers.map(async (reader) => reader.closed));
      for (const reader of readers) {
        expect(reader.ended).toBe(true);
        expect(reader.error).toBeUndefined();
      }
      expect(server.output).toMatch(/ended \(server shutting down\)/);
    },
  );
});
