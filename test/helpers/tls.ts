// A throwaway CA, a broker certificate for 127.0.0.1 and client certificates (CN = node id in topic form),
// made with openssl for one test run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly ca: string;
  readonly brokerCert: string;
  readonly brokerKey: string;
  /** CN to PEM certificate and key. */
  readonly clients: ReadonlyMap<string, { readonly cert: string; readonly key: string }>;
}

export function makeCertificates(clientNames: readonly string[], issuer = 'muster-test-ca'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'muster-tls-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
      '-subj',
      `/CN=${issuer}`,
      '-days',
      '2',
    );
    const issue = (name: string, cn: string, extensions: string): { cert: string; key: string } => {
      openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
      writeFileSync(file(`${name}.ext`), extensions);
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.crt'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        file(`${name}.crt`),
        '-extfile',
        file(`${name}.ext`),
      );
      return { cert: readFileSync(file(`${name}.crt`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') };
    };
    const broker = issue(
      'broker',
      'localhost',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    const clients = new Map(
      clientNames.map((cn, i) => [cn, issue(`client-${i}`, cn, 'extendedKeyUsage=clientAuth\n')] as const),
    );
    return { ca: readFileSync(file('ca.crt'), 'utf8'), brokerCert: broker.cert, brokerKey: broker.key, clients };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
