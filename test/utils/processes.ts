import { execFileSync } from 'node:child_process';

export interface ChildInfo {
  readonly pid: number;
  readonly state: string;
  readonly command: string;
}

/** The live child processes of `parent` (this test process by default), as ps sees them. */
export function childProcesses(parent = process.pid): ChildInfo[] {
  let output: string;
  try {
    output = execFileSync('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(parent)], {
      encoding: 'utf8',
    });
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return output
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), state: match[2], command: match[3] }));
}

/** Whether `pid` exists in any state; a zombie (state Z) counts as existing. */
export function processState(pid: number): string | undefined {
  try {
    return (
      execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}
