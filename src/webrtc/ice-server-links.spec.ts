import { iceServerLinks } from './ice-server-links';

describe(iceServerLinks.name, () => {
  it('gives STUN as a bare link and TURN with its credentials out of the URL', () => {
    expect(
      iceServerLinks([
        'stun:stun.example.net:3478',
        'turn:viewer:s%40cret@turn.example.net:3478?transport=tcp',
      ]),
    ).toEqual([
      '<stun:stun.example.net:3478>; rel="ice-server"',
      '<turn:turn.example.net:3478?transport=tcp>; rel="ice-server"; username="viewer"; credential="s@cret"; credential-type="password"',
    ]);
  });

  it('gives nothing when no server is configured (no public STUN by default)', () => {
    expect(iceServerLinks([])).toEqual([]);
  });
});
