import sharp from 'sharp';
import { EmulatedScene } from '../camera/drivers/emulated-scene';
import { clockBarcodeLayout, paintClockBarcode, readClockBarcode } from './clock-barcode';
import { RgbCanvas } from './rgb-canvas';

/** The green channel of an RGB picture: enough for black and white blocks. */
function grayOf(canvas: RgbCanvas): Buffer {
  const gray = Buffer.alloc(canvas.width * canvas.height);
  for (let pixel = 0; pixel < gray.length; pixel++) gray[pixel] = canvas.data[pixel * 3 + 1];
  return gray;
}

async function throughJpeg(rgb: Buffer, width: number, height: number, quality: number) {
  const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return sharp(jpeg).greyscale().raw().toBuffer();
}

describe('clock barcode', () => {
  const times = [0, 1, 1_764_633_600_123, 2 ** 48 - 1, 1_800_000_000_999];

  it('reads back what it painted on a clean picture', () => {
    for (const [width, height] of [
      [640, 480],
      [320, 240],
      [1920, 1080],
    ]) {
      const layout = clockBarcodeLayout(width, height);
      expect(layout).toBeDefined();
      for (const time of times) {
        const canvas = new RgbCanvas(width, height);
        canvas.fillRect(0, 0, width, height, [128, 200, 60]);
        paintClockBarcode(canvas, time, layout!);
        expect(readClockBarcode(grayOf(canvas), width, height)).toBe(time);
      }
    }
  });

  it('survives JPEG compression of the emulated picture', async () => {
    for (const [width, height, quality] of [
      [640, 480, 80],
      [640, 480, 30],
      [1280, 720, 80],
      [320, 240, 80],
    ]) {
      const scene = new EmulatedScene(width, height);
      for (const time of times.slice(2)) {
        const gray = await throughJpeg(scene.render(7, time, 30), width, height, quality);
        expect(readClockBarcode(gray, width, height)).toBe(time);
      }
    }
  });

  it('reads rows with padding', () => {
    const canvas = new RgbCanvas(640, 480);
    paintClockBarcode(canvas, 1_764_633_600_123, clockBarcodeLayout(640, 480)!);
    const gray = grayOf(canvas);
    const stride = 704;
    const padded = Buffer.alloc(stride * 480);
    for (let row = 0; row < 480; row++) gray.copy(padded, row * stride, row * 640, row * 640 + 640);
    expect(readClockBarcode(padded, 640, 480, stride)).toBe(1_764_633_600_123);
  });

  it('rejects a picture without the barcode or with a block misread', () => {
    const width = 640;
    const height = 480;
    const layout = clockBarcodeLayout(width, height)!;
    expect(readClockBarcode(Buffer.alloc(width * height), width, height)).toBeUndefined();
    expect(readClockBarcode(Buffer.alloc(width * height, 255), width, height)).toBeUndefined();
    const canvas = new RgbCanvas(width, height);
    paintClockBarcode(canvas, 1_764_633_600_123, layout);
    for (const index of [0, 20, 47, 50]) {
      const gray = grayOf(canvas);
      const x = layout.x + index * layout.block;
      for (let y = layout.y; y < layout.y + layout.block; y++) {
        for (let dx = 0; dx < layout.block; dx++) gray[y * width + x + dx] ^= 0xff;
      }
      expect(readClockBarcode(gray, width, height)).toBeUndefined();
    }
  });

  it('leaves out pictures too small for readable blocks', () => {
    expect(clockBarcodeLayout(200, 150)).toBeUndefined();
    expect(clockBarcodeLayout(16, 16)).toBeUndefined();
    expect(readClockBarcode(Buffer.alloc(16 * 16), 16, 16)).toBeUndefined();
    expect(new EmulatedScene(16, 16).render(1, 1_764_633_600_123, 30).length).toBe(16 * 16 * 3);
  });
});
