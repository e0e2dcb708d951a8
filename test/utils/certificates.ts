import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a throw-away self-signed certificate for `commonName` as cert.pem and key.pem in
 * `folder`; `altNames` (such as IP:127.0.0.1) are what TLS clients check the host against.
 */
export function writeSelfSignedCertificate(
  folder: string,
  commonName: string,
  altNames: string[] = [],
): void {
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
      ...(altNames.length > 0 ? ['-addext', `subjectAltName=${altNames.join(',')}`] : []),
      '-keyout',
      join(folder, 'key.pem'),
      '-out',
      join(folder, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
}
