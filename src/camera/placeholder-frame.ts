import { loadSharp } from '../common/sharp-loader';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './drivers/bitmap-font';
import { formatClock } from './drivers/emulated-scene';
import { RgbCanvas, type Rgb } from './drivers/rgb-canvas';
import { appSegmentOffset, buildSegment, COM, insertAt } from './jpeg/jpeg-segments';

/** The JPEG comment that marks a placeholder, so a client can tell it from a camera frame. */
export const PLACEHOLDER_COMMENT = 'camfeed:placeholder';
const COMMENT_SEGMENT = buildSegment(COM, Buffer.from(PLACEHOLDER_COMMENT, 'latin1'));

const BACKGROUND: Rgb = [24, 26, 32];
const STRIPE: Rgb = [34, 37, 46];
const TITLE: Rgb = [255, 160, 0];
const TEXT: Rgb = [230, 232, 238];
const MUTED: Rgb = [150, 156, 170];

export interface PlaceholderText {
  readonly title: string;
  readonly reason: string;
  /** When the source went down (epoch ms). */
  readonly since: number;
  readonly now: number;
}

/** Breaks `text` into lines of at most `columns` characters, at spaces where it can. */
export function wrapText(text: string, columns: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > columns) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, columns));
      rest = rest.slice(columns);
      line = '';
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= columns) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${kept[maxLines - 1].slice(0, Math.max(0, columns - 3))}...`;
    return kept;
  }
  return lines;
}

/** True for frames camfeed drew itself while the camera was down. */
export function isPlaceholder(jpeg: Buffer): boolean {
  return jpeg.includes(COMMENT_SEGMENT.subarray(4, 4 + PLACEHOLDER_COMMENT.length));
}

/**
 * The frame viewers see while the source is down: "no signal", why, since when and the current
 * time, at the stream's own size so the page layout does not jump. Viewers stay connected and the
 * live picture simply replaces it when the camera is back.
 */
export async function renderPlaceholder(
  width: number,
  height: number,
  text: PlaceholderText,
): Promise<Buffer> {
  const canvas = new RgbCanvas(width, height);
  canvas.fillRect(0, 0, width, height, BACKGROUND);
  const stripe = Math.max(4, Math.round(height / 24));
  for (let y = 0; y < height; y += stripe * 2) canvas.fillRect(0, y, width, stripe, STRIPE);

  const titleScale = Math.max(
    1,
    Math.min(Math.floor(height / 60), Math.floor((width * 0.9) / textWidth(text.title, 1))),
  );
  const scale = Math.max(1, Math.floor(titleScale / 2));
  const columns = Math.max(8, Math.floor((width * 0.9) / (GLYPH_ADVANCE * scale)));
  // Upper case: the font draws a lower-case x as the multiplication sign of "640x480".
  const reasonLines = wrapText(text.reason.toUpperCase(), columns, 4);
  const timeLine = `SINCE ${formatClock(text.since).slice(0, 8)}  NOW ${formatClock(text.now).slice(0, 8)}`;
  const lineHeight = (GLYPH_HEIGHT + 3) * scale;
  const blockHeight = GLYPH_HEIGHT * titleScale + lineHeight * (reasonLines.length + 2);
  let y = Math.max(2, Math.round((height - blockHeight) / 2));

  /** Draws a line centred, shrunk if it would not fit the width. */
  const centered = (line: string, preferredScale: number, color: Rgb): void => {
    const fit = Math.floor((width * 0.95) / textWidth(line, 1));
    const lineScale = Math.max(1, Math.min(preferredScale, fit));
    canvas.drawText(
      line,
      Math.round((width - textWidth(line, lineScale)) / 2),
      y,
      lineScale,
      color,
    );
  };
  centered(text.title, titleScale, TITLE);
  y += GLYPH_HEIGHT * titleScale + lineHeight;
  for (const line of reasonLines) {
    centered(line, scale, TEXT);
    y += lineHeight;
  }
  centered(timeLine, scale, MUTED);

  const sharp = await loadSharp();
  const jpeg = await sharp(canvas.data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 70 })
    .toBuffer();
  return insertAt(jpeg, appSegmentOffset(jpeg), COMMENT_SEGMENT);
}
