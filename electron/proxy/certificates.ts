import { X509Certificate } from 'node:crypto';
import type Docker from 'dockerode';
import type { CertificateView } from '../../shared/certificates.js';
import { FleetError } from '../../shared/errors.js';
import { readTar } from '../docker/tar-reader.js';
import { PROXY_DATA_DIR } from './caddy-config.js';

/** Caddy's certificate storage in the proxy's volume: <issuer directory>/<domain>/<domain>.crt (and .key, .json). */
export const CERTIFICATES_DIR = `${PROXY_DATA_DIR}/caddy/certificates`;
/** Bounds on what is read: a certificate chain is a few KiB; a proxy with more names than this is not one the console made. */
export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;
export const MAX_CERTIFICATES = 2000;

const DAY_MS = 86_400_000;

/** The issuing CA's name: its CN, with its O when that says more. */
function issuerName(cert: X509Certificate): string {
  const fields = new Map(cert.issuer.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
  const cn = fields.get('CN');
  const o = fields.get('O');
  return [cn, o && o !== cn ? o : undefined].filter(Boolean).join(', ') || cert.issuer.replace(/\n/g, ', ');
}

/** One stored certificate (the first PEM block of its chain is the leaf) as the operations show it. */
export function parseCertificate(issuerDirectory: string, domain: string, pem: string, now = new Date()): CertificateView {
  const leaf = new X509Certificate(pem);
  const notAfter = new Date(leaf.validTo);
  return {
    domain,
    issuerDirectory,
    issuer: issuerName(leaf),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
  };
}

/** `<issuer dir>/<domain>/<domain>.crt` in the archive (whose paths start with `certificates/`); null for anything else. */
function certificatePath(path: string): { issuerDirectory: string; domain: string } | null {
  const parts = path.split('/');
  if (parts.length !== 4 || parts[0] !== 'certificates') return null;
  const [, issuerDirectory, domain, file] = parts as [string, string, string, string];
  return file === `${domain}.crt` ? { issuerDirectory, domain } : null;
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The certificates in the proxy's storage, read with Docker's archive API (the container need
 * not run). Private keys are skipped unread; a file that does not parse is left out, not fatal.
 */
export async function readCertificates(docker: Docker, containerId: string, now = new Date()): Promise<CertificateView[]> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await docker.getContainer(containerId).getArchive({ path: CERTIFICATES_DIR });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return []; // nothing obtained yet
    throw error;
  }
  const found: CertificateView[] = [];
  for await (const member of readTar(archive as AsyncIterable<Buffer>)) {
    const where = member.type === 'file' ? certificatePath(member.path) : null;
    if (!where || member.size > MAX_CERTIFICATE_FILE_BYTES) continue; // the body is skipped by the reader
    if (found.length >= MAX_CERTIFICATES) {
      (archive as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new FleetError('PROXY_ERROR', `The proxy holds more than ${MAX_CERTIFICATES} certificates; the console reads no more.`);
    }
    try {
      found.push(parseCertificate(where.issuerDirectory, where.domain, await readBody(member.body), now));
    } catch {
      // Not a certificate Node can read (a partial write): shown as not obtained.
    }
  }
  return found.sort((a, b) => a.domain.localeCompare(b.domain));
}
