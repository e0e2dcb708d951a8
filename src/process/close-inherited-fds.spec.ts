import { execFileSync } from 'node:child_process';
import { closingInheritedFds } from './close-inherited-fds';

describe('closingInheritedFds', () => {
  it('runs the command with only the descriptors below `keep` (and its own)', () => {
    // Opened here without close-on-exec would be inherited; Node's openSync sets O_CLOEXEC, so
    // a descriptor without it is made the way a native library makes one: via a shell.
    const { command, args } = closingInheritedFds('/bin/ls', ['-l', '/proc/self/fd']);
    const leaked = execFileSync(
      '/bin/bash',
      ['-c', 'exec 7</dev/null; exec "$@"', 'x', command, ...args],
      {
        encoding: 'utf8',
      },
    );
    expect(leaked).not.toMatch(/ 7 -> /);
    const direct = execFileSync(
      '/bin/bash',
      ['-c', 'exec 7</dev/null; exec "$@"', 'x', '/bin/ls', '-l', '/proc/self/fd'],
      {
        encoding: 'utf8',
      },
    );
    // Without it the descriptor reaches the command: the test above can fail.
    expect(direct).toMatch(/ 7 -> \/dev\/null/);
  });

  it('keeps the descriptors below `keep`', () => {
    const { command, args } = closingInheritedFds('/bin/ls', ['-l', '/proc/self/fd'], 8);
    const output = execFileSync(
      '/bin/bash',
      ['-c', 'exec 7</dev/null; exec "$@"', 'x', command, ...args],
      {
        encoding: 'utf8',
      },
    );
    expect(output).toMatch(/ 7 -> \/dev\/null/);
  });

  it('runs a relative or missing command as it is, so that the spawn itself fails', () => {
    expect(closingInheritedFds('ffmpeg', ['-i', 'x'])).toEqual({
      command: 'ffmpeg',
      args: ['-i', 'x'],
    });
    expect(closingInheritedFds('/nonexistent/ffmpeg', [])).toEqual({
      command: '/nonexistent/ffmpeg',
      args: [],
    });
  });

  it('passes arguments through untouched', () => {
    const { command, args } = closingInheritedFds('/bin/echo', ['a b', '$HOME', '"q"', '*']);
    expect(execFileSync(command, args, { encoding: 'utf8' })).toBe('a b $HOME "q" *\n');
  });
});
