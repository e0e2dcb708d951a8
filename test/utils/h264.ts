import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '../../src/camera/drivers/ffmpeg-binary';

const START = Buffer.from([0, 0, 0, 1]);

/** The sizes of the pictures a real decoder (ffmpeg, the one camfeed uses) finds in H.264. */
export async function decodedSizes(annexB: Buffer): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'camfeed-h264-')), 'received.h264');
  await writeFile(file, annexB);
  const ffmpeg = await findFfmpeg();
  // A recording may begin or end mid-picture; ffmpeg then complains, decodes the rest, and
  // may exit non-zero: the pictures it decoded are what counts.
  const stderr = await new Promise<string>((resolve) =>
    execFile(
      ffmpeg.path,
      ['-hide_banner', '-f', 'h264', '-i', file, '-vf', 'showinfo', '-f', 'null', '-'],
      { maxBuffer: 64 * 1024 * 1024 },
      (_error, _stdout, text) => resolve(text),
    ),
  );
  return [...stderr.matchAll(/Parsed_showinfo.* s:(\d+x\d+) /g)].map((match) => match[1]);
}

/** The NAL unit types of an Annex B stream (4-byte start codes, as the WHEP player records). */
export function nalTypes(annexB: Buffer): number[] {
  const types: number[] = [];
  for (let at = annexB.indexOf(START); at >= 0; at = annexB.indexOf(START, at + 4))
    types.push(annexB[at + 4] & 0x1f);
  return types;
}

/** Whether the first picture is a keyframe (IDR, type 5) with its parameter sets (7, 8) before it. */
export function startsWithKeyframe(annexB: Buffer): boolean {
  const types = nalTypes(annexB);
  const firstSlice = types.findIndex((type) => type === 1 || type === 5);
  if (firstSlice < 0 || types[firstSlice] !== 5) return false;
  const before = types.slice(0, firstSlice);
  return before.includes(7) && before.includes(8);
}
