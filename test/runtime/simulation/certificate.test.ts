/**
 * The simulator's self-signed certificate: every one generated loads in node:tls (as key and
 * certificate of a server, and as a trusted CA) and names localhost, 127.0.0.1 and ::1.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../runtime/simulation/certificate.js';

describe('selfSignedCertificate', () => {
  it('makes certificates node:tls always loads (a serial with a leading zero byte used to break 1 in ~256)', () => {
    // 1,500 certificates: with the old serial encoding, the chance that none was refused is ~0.3 %.
    for (let i = 0; i < 1500; i++) {
      const cert = selfSignedCertificate(`c${i}`);
      try {
        createSecureContext({ cert: cert.certPem, key: cert.keyPem });
        createSecureContext({ ca: cert.certPem });
      } catch (err) {
        throw new Error(`certificate ${i} does not load: ${(err as Error).message}\n${cert.certPem}`);
      }
      const serial = new X509Certificate(cert.certPem).serialNumber;
      expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/);
      expect(serial.startsWith('00')).toBe(false);
    }
  });

  it('names localhost and the loopback addresses, valid from an hour ago for the days asked', () => {
    const before = Date.now();
    const x509 = new X509Certificate(selfSignedCertificate('sfgen test', 10).certPem);
    expect(x509.subject).toBe('CN=sfgen test');
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(x509.validFrom)).toBeLessThanOrEqual(before - 3500_000);
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBe(10 * 86400_000 + 3600_000);
    expect(x509.ca).toBe(true);
  });
});
