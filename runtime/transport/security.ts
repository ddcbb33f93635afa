/** HTTPS enforcement: plain HTTP is allowed only to a loopback address, and only when asked for. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((part) => Number(part) <= 255);
}

/**
 * Throws a `ConfigError` unless `url` is HTTPS, or plain HTTP to a loopback address with
 * `allowInsecureLoopback` set. `what` names the setting in the message (`instanceUrl`, `loginUrl`).
 */
export function assertSecureUrl(url: string, allowInsecureLoopback: boolean, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError({ message: `${what} is not an absolute URL: ${JSON.stringify(url)}` });
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:') {
    if (!isLoopbackHost(parsed.hostname)) {
      throw new ConfigError({
        message: `${what} ${parsed.origin} uses plain HTTP; Salesforce traffic must use HTTPS (plain HTTP is only allowed to a loopback address with allowInsecureLoopback: true)`,
      });
    }
    if (!allowInsecureLoopback) {
      throw new ConfigError({
        message: `${what} ${parsed.origin} uses plain HTTP; set allowInsecureLoopback: true to talk to a local simulator over HTTP`,
      });
    }
    return parsed;
  }
  throw new ConfigError({ message: `${what} must be an https:// URL, got ${parsed.protocol}` });
}

/**
 * The certificates of the file NODE_EXTRA_CA_CERTS names, as PEM text ('' when unset or unreadable:
 * Node itself only warned about it at start-up). Node adds them to its default trust, but a TLS
 * context given its own CAs does not see them, so both transports add them back.
 */
export function extraCaCertificates(): string {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
