import type { RgbCanvas } from './rgb-canvas';

/** Milliseconds since the epoch fit 48 bits until the year 10889. */
const VALUE_BITS = 48;
const CHECK_BITS = 8;
const BITS = VALUE_BITS + CHECK_BITS;
/** Blocks of margin at each side of the row, so the row never touches the picture's edge. */
const MARGIN_BLOCKS = 2;

/** Where a picture of this size carries its clock: a row of square blocks on a black band. */
export interface ClockBarcodeLayout {
  /** The band's top edge; it runs to the bottom of the picture, full width. */
  readonly bandTop: number;
  /** The blocks' row: left edge of the first block, top edge of all. */
  readonly x: number;
  readonly y: number;
  /** A block's side in pixels. */
  readonly block: number;
}

/**
 * The layout for a picture of this size, or undefined if it is too narrow for blocks of at
 * least 4 pixels (they would not survive JPEG or H.264 compression).
 */
export function clockBarcodeLayout(width: number, height: number): ClockBarcodeLayout | undefined {
  const block = Math.floor(width / (BITS + 2 * MARGIN_BLOCKS));
  if (block < 4 || height < block * 8) return undefined;
  return {
    bandTop: height - 3 * block,
    x: Math.floor((width - block * BITS) / 2),
    y: height - 2 * block,
    block,
  };
}

/** A check byte over the value's six bytes, so a misread block is a rejected reading. */
function checkByte(value: number): number {
  let sum = 0x5a;
  for (let byte = 0; byte < VALUE_BITS / 8; byte++) {
    sum = (sum * 31 + (Math.floor(value / 2 ** (8 * byte)) % 256)) % 251;
  }
  return sum;
}

/** The bits the row shows, most significant first: 48 of the value, then its check byte. */
function bitsOf(value: number): number[] {
  const bits: number[] = [];
  for (let bit = VALUE_BITS - 1; bit >= 0; bit--) bits.push(Math.floor(value / 2 ** bit) % 2);
  const check = checkByte(value);
  for (let bit = CHECK_BITS - 1; bit >= 0; bit--) bits.push((check >> bit) & 1);
  return bits;
}

/**
 * Paints `epochMs` (a whole number of ms, 0 to 2^48 − 1) as a barcode: a black band along the
 * bottom of the picture with one block per bit, white for 1, black for 0. A program reads it
 * back from a decoded picture with readClockBarcode; a person sees a strip of blocks that changes
 * every frame.
 */
export function paintClockBarcode(
  canvas: RgbCanvas,
  epochMs: number,
  layout: ClockBarcodeLayout,
): void {
  const value = Math.max(0, Math.min(2 ** VALUE_BITS - 1, Math.round(epochMs)));
  canvas.fillRect(0, layout.bandTop, canvas.width, canvas.height - layout.bandTop, [0, 0, 0]);
  bitsOf(value).forEach((bit, index) => {
    if (bit === 1) {
      canvas.fillRect(
        layout.x + index * layout.block,
        layout.y,
        layout.block,
        layout.block,
        [255, 255, 255],
      );
    }
  });
}

/**
 * Reads the clock back from a decoded picture: `gray` holds one byte per pixel, row after row
 * (`stride` bytes a row, the width by default). Each block counts as white if the mean of its
 * middle half is above mid-grey. Undefined if the check byte does not match.
 */
export function readClockBarcode(
  gray: Uint8Array,
  width: number,
  height: number,
  stride = width,
): number | undefined {
  const layout = clockBarcodeLayout(width, height);
  if (layout === undefined || gray.length < stride * height) return undefined;
  const { block } = layout;
  const inset = Math.floor(block / 4);
  const side = block - 2 * inset;
  let value = 0;
  let check = 0;
  for (let index = 0; index < BITS; index++) {
    const x0 = layout.x + index * block + inset;
    const y0 = layout.y + inset;
    let sum = 0;
    for (let y = y0; y < y0 + side; y++) {
      for (let x = x0; x < x0 + side; x++) sum += gray[y * stride + x];
    }
    const bit = sum / (side * side) > 128 ? 1 : 0;
    if (index < VALUE_BITS) value = value * 2 + bit;
    else check = check * 2 + bit;
  }
  return checkByte(value) === check ? value : undefined;
}
