import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jpegFolder, solidJpeg } from '../../../test/utils/jpeg-fixtures';
import { ImagesDriver, loadJpegFolder } from './images.driver';

describe(ImagesDriver.name, () => {
  it('loops the folder in natural name order at the frame rate', async () => {
    const images = await Promise.all([10, 20, 30].map(async (shade) => solidJpeg(40, 30, shade)));
    const folder = await jpegFolder(images);
    const abort = new AbortController();
    const seen: Buffer[] = [];
    for await (const jpeg of new ImagesDriver(folder).frames(
      {
        width: 640,
        height: 480,
        framerate: 100,
        quality: 80,
        rotation: 0,
        hflip: false,
        vflip: false,
        bitrate: 2000,
        keyframeInterval: 1,
      },
      abort.signal,
    )) {
      seen.push(jpeg);
      if (seen.length === 7) abort.abort();
    }
    expect(seen).toEqual([...images, ...images, images[0]]);
  });

  it('orders 2.jpg before 10.jpg and ignores other files', async () => {
    const folder = await jpegFolder([]);
    const [a, b] = await Promise.all([solidJpeg(8, 8, 1), solidJpeg(8, 8, 2)]);
    await writeFile(join(folder, '10.jpg'), b);
    await writeFile(join(folder, '2.JPEG'), a);
    await writeFile(join(folder, 'notes.txt'), 'not an image');
    await writeFile(join(folder, 'broken.jpg'), 'not a jpeg either');
    expect(await loadJpegFolder(folder)).toEqual([a, b]);
  });

  it('fails with a clear reason when the folder is missing or has no JPEGs', async () => {
    await expect(loadJpegFolder('/nonexistent/camfeed')).rejects.toThrow(
      /cannot read the image folder \/nonexistent\/camfeed/,
    );
    await expect(loadJpegFolder(await jpegFolder([]))).rejects.toThrow(/no readable \.jpg files/);
  });
});
