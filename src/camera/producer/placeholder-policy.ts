import type { PlaceholderText } from '../../drawing/placeholder-frame';
import type { CameraState } from './camera-status';

/** A camera still starting after this long gets the placeholder too (an RTSP camera connecting). */
export const SLOW_START_MS = 2000;

export interface CameraSituation {
  readonly state: CameraState;
  /** When the current state began. */
  readonly stateSince: number;
  /** When this run stopped delivering: its start until the first frame, then each failure. */
  readonly downSince: number;
  readonly lastError: string | null;
  readonly now: number;
}

/**
 * What viewers should see instead of camera frames right now, if anything: "NO SIGNAL" with the
 * reason while a failed camera waits to be restarted, "CONNECTING" while one is slow to start.
 */
export function placeholderFor(situation: CameraSituation): PlaceholderText | undefined {
  const { state, stateSince, downSince, lastError, now } = situation;
  if (state === 'retrying') {
    return {
      title: 'NO SIGNAL',
      reason: lastError ?? 'the camera failed',
      since: downSince || stateSince,
      now,
    };
  }
  if (state === 'starting' && now - stateSince > SLOW_START_MS) {
    return {
      title: 'CONNECTING',
      reason: 'waiting for the camera',
      since: downSince || stateSince,
      now,
    };
  }
  return undefined;
}
