import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor } from './bitmap-font';

export type Rgb = readonly [number, number, number];

/**
 * A raw 8-bit RGB image with the few drawing operations the server's own pictures need. Every
 * operation clips to the image, so callers can draw at any size without bounds checks.
 */
export class RgbCanvas {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 3);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    const pattern = Buffer.from(color);
    for (let row = y0; row < y1; row++) {
      const start = (row * this.width + x0) * 3;
      this.data.fill(pattern, start, start + (x1 - x0) * 3);
    }
  }

  /** Draws `text` with its top-left corner at (x, y); each font pixel becomes scale×scale. */
  drawText(text: string, x: number, y: number, scale: number, color: Rgb): void {
    let penX = x;
    for (const char of text) {
      const glyph = glyphFor(char);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (glyph[gy * GLYPH_WIDTH + gx] === 1) {
            this.fillRect(penX + gx * scale, y + gy * scale, scale, scale, color);
          }
        }
      }
      penX += GLYPH_ADVANCE * scale;
    }
  }
}
