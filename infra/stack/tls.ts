// The stack's own certificate authority and one broker certificate for 127.0.0.1/localhost,
// made once per state dir with the openssl command line (Node can verify certificates but not
// issue them). Clients of the local stack trust the CA file to use pulsar+ssl://.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PrerequisiteError } from '../pulsar/distribution.ts';
import type { StackLayout } from './regions.ts';

const run = promisify(execFile);

export async function ensureTlsFiles(layout: StackLayout): Promise<void> {
  if ([layout.tlsCaFile, layout.tlsKeyFile, layout.tlsCertFile].every((f) => existsSync(f))) return;
  const dir = path.dirname(layout.tlsCaFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = path.join(dir, 'ca.key');
  const csr = path.join(dir, 'broker.csr');
  const ext = path.join(dir, 'broker.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const openssl = async (args: string[]) => {
    try {
      await run('openssl', args);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') throw new PrerequisiteError('openssl is required to make the stack\'s TLS certificates (Debian: apt-get install openssl)');
      throw new PrerequisiteError(`openssl ${args[0]} failed: ${e.message}`);
    }
  };
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', layout.tlsCaFile, '-days', '3650', '-subj', '/CN=Lodestar local stack CA']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', layout.tlsKeyFile, '-out', csr, '-subj', '/CN=localhost']);
  await openssl(['x509', '-req', '-in', csr, '-CA', layout.tlsCaFile, '-CAkey', caKey, '-CAcreateserial', '-out', layout.tlsCertFile, '-days', '3650', '-extfile', ext]);
  rmSync(csr, { force: true });
}
