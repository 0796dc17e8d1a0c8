// Certificates you can see: parsing what Caddy stores, and classifying the obtain errors it logs
// (caddy-2.6-obtain.jsonl: lines the testbed's Caddy wrote while Pebble validated a name whose DNS
// pointed at 10.255.255.1, plus its successful issuance of another name).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateFailures, classifyAcmeError } from '../../electron/proxy/certificate-failures.js';
import { describeHostCertificates, describeNameCertificates } from '../../electron/cli/certificates.js';
import { parseCertificate } from '../../electron/proxy/certificates.js';
import { certificateCounts, nameCertificate, type HostCertificates } from '../../shared/certificates.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/certificates');
const chain = fs.readFileSync(path.join(fixtures, 'shop.example.test.crt'), 'utf8');
const logLines = fs.readFileSync(path.join(fixtures, 'caddy-2.6-obtain.jsonl'), 'utf8').split('\n');

describe('a stored certificate', () => {
  it('gives the leaf’s issuer, issuance, expiry and days left (the chain’s first block)', () => {
    const leafFrom = Date.parse(parseCertificate('d', 'x', chain).notBefore);
    const view = parseCertificate('acme.example.test-directory', 'shop.example.test', chain, new Date(leafFrom + 10 * 86_400_000));
    expect(view).toMatchObject({ domain: 'shop.example.test', issuerDirectory: 'acme.example.test-directory', issuer: 'Fleet Test Intermediate, Fleet Test CA', daysLeft: 80 });
    expect(Date.parse(view.notAfter) - Date.parse(view.notBefore)).toBe(90 * 86_400_000);
  });

  it('refuses what is not a certificate', () => {
    expect(() => parseCertificate('d', 'x', '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n')).toThrow();
  });
});

describe("the proxy's obtain errors", () => {
  it("keep the CA's own words for a name whose DNS points elsewhere, not tls.obtain's summary", () => {
    const failures = certificateFailures(logLines);
    expect(failures).toHaveLength(1); // it-certs.fleet.test was obtained: no failure
    const [failure] = failures;
    expect(failure).toMatchObject({ domain: 'it-certs-elsewhere.fleet.test', cause: 'unreachable' });
    expect(failure!.error).toBe('urn:ietf:params:acme:error:unauthorized - Failed to connect to 10.255.255.1:34085 for the tls-alpn-01 challenge');
    expect(failure!.fix).toMatch(/^The CA tried 10\.255\.255\.1 for this name\. .*DNS points at this host/);
    // Dated by the newest error for the name (tls.obtain's, after the challenges').
    expect(failure!.at).toBe(new Date(1796679729421).toISOString());
  });

  it('forget a name’s failures once its certificate is obtained', () => {
    const obtained = JSON.stringify({ level: 'info', ts: 1796679800, logger: 'tls.obtain', msg: 'certificate obtained successfully', identifier: 'it-certs-elsewhere.fleet.test' });
    expect(certificateFailures([...logLines, obtained])).toEqual([]);
  });

  it('ignore lines that are not certificate errors, or not JSON', () => {
    expect(certificateFailures(['not json', '{"level":"error","logger":"admin.api","msg":"request error","error":"unknown object ID"}', '{broken'])).toEqual([]);
  });

  it.each([
    ['HTTP 400 urn:ietf:params:acme:error:connection - dial tcp 10.255.255.1:37329: connect: connection refused', 'unreachable'],
    ['HTTP 400 urn:ietf:params:acme:error:dns - DNS problem: NXDOMAIN looking up A for shop.example.com', 'dns'],
    ['HTTP 429 urn:ietf:params:acme:error:rateLimited - too many certificates already issued', 'rate-limited'],
    ['HTTP 403 urn:ietf:params:acme:error:caa - CAA record for example.com prevents issuance', 'caa'],
    ['HTTP 500 urn:ietf:params:acme:error:serverInternal - the CA is down', 'other'],
  ])('classify %s', (error, cause) => {
    expect(classifyAcmeError(error).cause).toBe(cause);
  });
});

describe("a name's state", () => {
  const cert = (daysLeft: number, notBefore = '2026-12-01T00:00:00.000Z') => ({ domain: 'a.test', issuerDirectory: 'd', issuer: 'CA', notBefore, notAfter: '2027-03-01T00:00:00.000Z', daysLeft });
  const failure = (at: string) => ({ domain: 'a.test', at, cause: 'dns' as const, error: 'e', fix: 'f' });
  const host = (certificates: HostCertificates['certificates'], failures: HostCertificates['failures'] = []): HostCertificates => ({ proxy: true, certificates, failures });

  it('is not obtained, valid, expiring (< 14 days) or expired from its certificate', () => {
    expect(nameCertificate('A.test', host([])).state).toBe('not-obtained');
    expect(nameCertificate('a.test', host([cert(60)])).state).toBe('valid');
    expect(nameCertificate('a.test', host([cert(13)])).state).toBe('expiring');
    expect(nameCertificate('a.test', host([cert(-1)])).state).toBe('expired');
  });

  it('is failing when the latest failure is newer than its certificate, not when older', () => {
    expect(nameCertificate('a.test', host([cert(60)], [failure('2026-12-02T00:00:00.000Z')])).state).toBe('failing');
    expect(nameCertificate('a.test', host([cert(60)], [failure('2026-11-30T00:00:00.000Z')])).state).toBe('valid');
    expect(nameCertificate('a.test', host([], [failure('2026-11-30T00:00:00.000Z')])).failure?.cause).toBe('dns');
  });

  it('counts failing and expiring names per host', () => {
    const other = { ...cert(5), domain: 'b.test' };
    expect(certificateCounts(host([cert(60, '2026-11-01T00:00:00.000Z'), other], [failure('2026-12-02T00:00:00.000Z')]))).toEqual({ total: 2, expiring: 1, failing: 1 });
  });
});

describe('the CLI’s words', () => {
  const certificate = { domain: 'a.test', issuerDirectory: 'acme.test-dir', issuer: 'Pebble Intermediate CA 1', notBefore: '2026-12-01T10:00:00.000Z', notAfter: '2027-03-01T10:00:00.000Z', daysLeft: 83 };
  const failure = { domain: 'b.test', at: '2026-12-07T21:00:00.000Z', cause: 'unreachable' as const, error: 'urn:ietf:params:acme:error:connection - refused', fix: 'Let ports 80 and 443 in.' };

  it('list the host’s certificates, then each failing name with the fix and the CA’s words', () => {
    const text = describeHostCertificates('alpha', { proxy: true, certificates: [certificate], failures: [failure] });
    expect(text).toMatch(/^DOMAIN\s+ISSUER\s+ISSUED\s+EXPIRES\s+DAYS LEFT\s+CA DIRECTORY\n/);
    expect(text).toMatch(/a\.test\s+Pebble Intermediate CA 1\s+2026-12-01\s+2027-03-01\s+83\s+acme\.test-dir/);
    expect(text).toContain('b.test: FAILING (unreachable) since 2026-12-07T21:00:00.000Z\n  Let ports 80 and 443 in.\n  CA said: urn:ietf:params:acme:error:connection - refused');
    expect(describeHostCertificates('alpha', { proxy: false, certificates: [], failures: [] })).toContain('alpha has no managed proxy');
  });

  it('give each of a tenant’s names its state', () => {
    const text = describeNameCertificates([
      { domain: 'a.test', state: 'valid', certificate, failure: null },
      { domain: 'c.test', state: 'not-obtained', certificate: null, failure: null },
    ]);
    expect(text).toMatch(/a\.test\s+valid\s+Pebble Intermediate CA 1\s+2026-12-01\s+2027-03-01 \(83 days\)/);
    expect(text).toMatch(/c\.test\s+not-obtained\s+-\s+-\s+-/);
  });
});
