import { accessSync, constants, existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';

const BASH = '/bin/bash';
const PROC_FDS = '/proc/self/fd';

/**
 * Closes, in the child, every descriptor from `keep` up before it becomes `command`.
 *
 * Node marks its own descriptors close-on-exec, but native libraries need not: libdatachannel's
 * ICE sockets are inherited by every process spawned while a WebRTC viewer is connected, so an
 * encoder or camera process started then kept each viewer's UDP port bound long after the viewer
 * left (and a fixed WEBRTC_PORT_MIN–MAX range ran out). Node cannot close descriptors between
 * fork and exec, so bash does it and then execs the command in its place: same pid, no process
 * in between. Where there is no bash or no /proc (or the command is not an absolute path, whose
 * absence must still fail the spawn itself), the command runs as it is.
 */
export function closingInheritedFds(
  command: string,
  args: readonly string[],
  keep = 3,
): { command: string; args: string[] } {
  if (!isAbsolute(command) || !existsSync(BASH) || !existsSync(PROC_FDS) || !executable(command))
    return { command, args: [...args] };
  const script =
    'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -ge "$0" ] && eval "exec $n>&-"; done; exec "$@"';
  return { command: BASH, args: ['-c', script, String(keep), command, ...args] };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
