import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Writes a throw-away self-signed certificate for `commonName` as cert.pem and key.pem in `folder`. */
export function writeSelfSignedCertificate(folder: string, commonName: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      join(folder, 'key.pem'),
      '-out',
      join(folder, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
}
