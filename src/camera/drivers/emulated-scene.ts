import { GLYPH_HEIGHT, textWidth } from '../../drawing/bitmap-font';
import {
  clockBarcodeLayout,
  paintClockBarcode,
  type ClockBarcodeLayout,
} from '../../drawing/clock-barcode';
import { formatClock } from '../../drawing/format-clock';
import { RgbCanvas, type Rgb } from '../../drawing/rgb-canvas';

const BARS: Rgb[] = [
  [192, 192, 192],
  [192, 192, 0],
  [0, 192, 192],
  [0, 192, 0],
  [192, 0, 192],
  [192, 0, 0],
  [0, 0, 192],
  [24, 24, 24],
];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const PANEL: Rgb = [20, 20, 28];
const ORANGE: Rgb = [255, 160, 0];
const CLOCK_CHARS = 12; // "HH:MM:SS.mmm"

/** Position of a point moving back and forth over `span` once every `periodMs`. */
function bounce(epochMs: number, periodMs: number, span: number): number {
  const phase = (epochMs % periodMs) / periodMs;
  return (phase < 0.5 ? phase * 2 : 2 - phase * 2) * span;
}

/**
 * The emulated camera's picture: colour bars and a grey ramp, a sweeping bar and a bouncing
 * square for visible motion, and a panel with a millisecond clock, the frame counter and the
 * resolution, so a viewer sees at once that the stream is live and how fresh it is. The same
 * clock runs along the bottom as a barcode (src/drawing/clock-barcode.ts) for programs: the
 * benchmark reads it from decoded pictures to measure glass-to-glass latency.
 *
 * The static background is drawn once; each frame copies it and draws only what moves.
 */
export class EmulatedScene {
  private readonly background: RgbCanvas;
  private readonly canvas: RgbCanvas;
  private readonly barsHeight: number;
  private readonly clockScale: number;
  private readonly infoScale: number;
  /** Undefined for pictures too small for the barcode. */
  private readonly barcode: ClockBarcodeLayout | undefined;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.background = new RgbCanvas(width, height);
    this.canvas = new RgbCanvas(width, height);
    this.barsHeight = Math.round(height * 0.62);
    this.clockScale = Math.max(
      1,
      Math.min(
        Math.floor(height / 80),
        Math.floor((width * 0.9) / textWidth('0'.repeat(CLOCK_CHARS), 1)),
      ),
    );
    this.infoScale = Math.max(1, Math.floor(this.clockScale / 2));
    this.barcode = clockBarcodeLayout(width, height);
    this.drawBackground();
  }

  /** Raw RGB pixels of one frame. The buffer is reused: encode it before rendering the next. */
  render(frameNumber: number, epochMs: number, framerate: number): Buffer {
    const { width, height, canvas } = this;
    canvas.data.set(this.background.data);

    const barWidth = Math.max(2, Math.round(width / 40));
    const sweepX = bounce(epochMs, 4000, width - barWidth);
    canvas.fillRect(sweepX, 0, barWidth, this.barsHeight, WHITE);
    canvas.fillRect(sweepX + barWidth / 3, 0, Math.max(1, barWidth / 3), this.barsHeight, BLACK);

    const square = Math.max(4, Math.round(height / 10));
    const rampTop = this.barsHeight;
    const squareX = bounce(epochMs, 2600, width - square);
    const bottom = this.barcode?.bandTop ?? height;
    const squareY = rampTop + bounce(epochMs + 700, 1900, Math.max(0, bottom - rampTop - square));
    canvas.fillRect(squareX, squareY, square, square, ORANGE);

    const clock = formatClock(epochMs);
    const info = `#${frameNumber}  ${width}x${height}  ${Math.round(framerate * 100) / 100} FPS`;
    const lineGap = this.infoScale * 3;
    const panelWidth = Math.max(textWidth(clock, this.clockScale), textWidth(info, this.infoScale));
    const panelHeight = GLYPH_HEIGHT * (this.clockScale + this.infoScale) + lineGap;
    const margin = this.clockScale * 3;
    const panelX = Math.round((width - panelWidth) / 2);
    const panelY = Math.round((this.barsHeight - panelHeight) / 2);
    canvas.fillRect(
      panelX - margin,
      panelY - margin,
      panelWidth + 2 * margin,
      panelHeight + 2 * margin,
      PANEL,
    );
    canvas.drawText(
      clock,
      panelX + (panelWidth - textWidth(clock, this.clockScale)) / 2,
      panelY,
      this.clockScale,
      WHITE,
    );
    canvas.drawText(
      info,
      panelX + (panelWidth - textWidth(info, this.infoScale)) / 2,
      panelY + GLYPH_HEIGHT * this.clockScale + lineGap,
      this.infoScale,
      ORANGE,
    );
    if (this.barcode) paintClockBarcode(canvas, epochMs, this.barcode);
    return canvas.data;
  }

  private drawBackground(): void {
    const { width, height, background } = this;
    BARS.forEach((color, index) => {
      const x0 = Math.round((index * width) / BARS.length);
      const x1 = Math.round(((index + 1) * width) / BARS.length);
      background.fillRect(x0, 0, x1 - x0, this.barsHeight, color);
    });
    for (let x = 0; x < width; x++) {
      const level = Math.round((x / Math.max(1, width - 1)) * 255);
      background.fillRect(x, this.barsHeight, 1, height - this.barsHeight, [level, level, level]);
    }
    // A corner label: it reads mirrored or upside down when the picture is flipped or rotated.
    background.drawText(
      'CAMFEED TOP LEFT',
      this.infoScale * 2,
      this.infoScale * 2,
      this.infoScale,
      BLACK,
    );
  }
}
