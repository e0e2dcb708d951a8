import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds. Resolves true when the time has passed and false as soon as `signal`
 * aborts, so loops can stop promptly without try/catch at every wait.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(Math.max(0, ms), undefined, { signal });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
