import { loadSharp } from '../common/sharp-loader';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './bitmap-font';
import { formatClock } from './format-clock';
import { RgbCanvas, type Rgb } from './rgb-canvas';
import {
  appSegmentOffset,
  buildSegment,
  COM,
  headerSegments,
  insertAt,
} from '../jpeg/jpeg-segments';

/** The JPEG comment that marks a placeholder, so a client can tell it from a camera frame. */
export const PLACEHOLDER_COMMENT = 'camfeed:placeholder';
const COMMENT_SEGMENT = buildSegment(COM, Buffer.from(PLACEHOLDER_COMMENT, 'latin1'));
/**
 * Starts the second comment, which says in JSON what the picture shows, so that a client (or a
 * test) can read why the camera is down without reading pixels.
 */
const TEXT_COMMENT_PREFIX = 'camfeed:placeholder-text ';
/** Enough for any error worth reading; a JPEG segment holds at most 64 KiB. */
const MAX_COMMENT_REASON = 2000;

const BACKGROUND: Rgb = [24, 26, 32];
const STRIPE: Rgb = [34, 37, 46];
const TITLE: Rgb = [255, 160, 0];
const TEXT: Rgb = [230, 232, 238];
const MUTED: Rgb = [150, 156, 170];

export interface PlaceholderText {
  readonly title: string;
  /** Shown as it is: the caller has masked any secret in it. */
  readonly reason: string;
  /** When the source went down (epoch ms). */
  readonly since: number;
  readonly now: number;
}

/** What a placeholder's text comment holds. */
export interface PlaceholderComment {
  readonly title: string;
  readonly reason: string;
  /** ISO 8601. */
  readonly since: string;
}

/*
 * Where a token too long for a line may break. Best: before the "/", "?", "&" or "#" of a path
 * or query, and after the "@" of userinfo, so "/dev/video0" and a URL's host stay whole ("//" of
 * a scheme is never split). Next best: after other punctuation. Last resort: anywhere.
 */
const BREAK_BEFORE = new Set(['/', '?', '&', '#']);
const BREAK_AFTER = new Set([':', '-', '_', '.', ',', '=', ';']);

/**
 * Length of the first piece of `token` cut to at most `limit` characters, at the best break
 * there is (only a separator break when `separatorsOnly`); 0 when there is none.
 */
function cutPoint(token: string, limit: number, separatorsOnly = false): number {
  let best = 0;
  let fallback = 0;
  for (let i = 1; i <= Math.min(limit, token.length - 1); i++) {
    const before = token[i - 1];
    const next = token[i];
    if ((BREAK_BEFORE.has(next) && before !== '/' && before !== ':') || before === '@') best = i;
    else if (BREAK_AFTER.has(before) && next !== '/') fallback = i;
  }
  if (separatorsOnly) return best;
  // A good break that leaves a stub of a line loses to punctuation further on.
  return best * 3 >= limit ? best : Math.max(best, fallback);
}

/**
 * Breaks `text` into lines of at most `columns` characters: at spaces where it can, and a token
 * longer than a line (a path, a URL) at its separators rather than mid-word.
 */
export function wrapText(text: string, columns: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = line === '' ? columns : columns - line.length - 1;
    if (word.length <= room) {
      line = line === '' ? word : `${line} ${word}`;
      continue;
    }
    let rest = word;
    // A token too long for any line begins on this one if it breaks at a separator there.
    const first = line !== '' && word.length > columns ? cutPoint(word, room, true) : 0;
    if (first > 0) {
      line = `${line} ${word.slice(0, first)}`;
      rest = word.slice(first);
    }
    if (line) lines.push(line);
    while (rest.length > columns) {
      const cut = cutPoint(rest, columns) || columns;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
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

/** The text a placeholder carries in its comment; undefined for any other JPEG. */
export function readPlaceholderComment(jpeg: Buffer): PlaceholderComment | undefined {
  for (const segment of headerSegments(jpeg)) {
    if (segment.marker !== COM) continue;
    const payload = jpeg.subarray(segment.offset + 4, segment.end).toString('utf8');
    if (!payload.startsWith(TEXT_COMMENT_PREFIX)) continue;
    try {
      return JSON.parse(payload.slice(TEXT_COMMENT_PREFIX.length)) as PlaceholderComment;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function textSegment(text: PlaceholderText): Buffer {
  const comment: PlaceholderComment = {
    title: text.title,
    reason: text.reason.slice(0, MAX_COMMENT_REASON),
    since: new Date(text.since).toISOString(),
  };
  return buildSegment(COM, Buffer.from(TEXT_COMMENT_PREFIX + JSON.stringify(comment), 'utf8'));
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
  const lineHeight = (GLYPH_HEIGHT + 3) * scale;
  // As many reason lines as fit between the title and the time line, the gaps included.
  const maxLines = Math.max(
    1,
    Math.min(6, Math.floor((height - GLYPH_HEIGHT * titleScale) / lineHeight) - 3),
  );
  // In its own case: paths and URLs are case-sensitive, and the font has lower case.
  const reasonLines = wrapText(text.reason, columns, maxLines);
  const timeLine = `SINCE ${formatClock(text.since).slice(0, 8)}  NOW ${formatClock(text.now).slice(0, 8)}`;
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
  return insertAt(
    jpeg,
    appSegmentOffset(jpeg),
    Buffer.concat([COMMENT_SEGMENT, textSegment(text)]),
  );
}
