// The validity windows of sidecar/validate/expiry.ts at their edges, with the words the user reads. Written to
// kill its mutants (docs/testing.md, "Mutation score"): each boundary is met exactly, one millisecond each side.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkValidity } from '../../../sidecar/validate/expiry.js';
import { readFixture } from '../../support/helpers.js';

const DAY = 24 * 3600e3;
const leaf = () => new crypto.X509Certificate(readFixture('rsa2048.crt'));
const from = () => leaf().validFromDate.getTime();
const to = () => leaf().validToDate.getTime();
const at = (now: number, isLeaf = true, minValidityMs = 3600e3) =>
  checkValidity(leaf(), isLeaf, { now: new Date(now), minValidityMs }, 'tls.crt');

describe('checkValidity', () => {
  it('is silent inside the window, from notBefore itself', () => {
    expect(at(from())).toEqual([]);
    expect(at(to() - 31 * DAY)).toEqual([]);
  });

  it('says when a certificate becomes valid, one millisecond before notBefore', () => {
    expect(at(from() - 3 * DAY)).toEqual([
      {
        code: 'CERT_NOT_YET_VALID',
        severity: 'error',
        message: `the certificate rsa2048 is not valid until ${leaf().validFromDate.toISOString()} (in 3 days)`,
        hint: "check the clock of this machine, or wait: the certificate's notBefore is in the future",
        file: 'tls.crt',
      },
    ]);
    expect(at(from() - 1).map((f) => f.code)).toEqual(['CERT_NOT_YET_VALID']);
  });

  it('says a leaf expired at notAfter itself, with the fix for a leaf', () => {
    expect(at(to() + 3 * DAY)).toEqual([
      {
        code: 'CERT_EXPIRED',
        severity: 'error',
        message: `the certificate rsa2048 expired on ${leaf().validToDate.toISOString()} (3 days ago)`,
        hint:
          'renew the certificate (dotnet dev-certs https --clean, then export again), or unset KCS_SOURCE to ' +
          'generate one',
        file: 'tls.crt',
      },
    ]);
    expect(at(to()).map((f) => f.code)).toEqual(['CERT_EXPIRED']);
    expect(at(to() - 1).map((f) => f.code)).toEqual(['CERT_EXPIRES_SOON']);
  });

  it('names a chain certificate as such, with the fix for a chain', () => {
    const [f] = at(to() + 3 * DAY, false);
    expect(f?.message).toBe(
      `the chain certificate rsa2048 expired on ${leaf().validToDate.toISOString()} (3 days ago)`,
    );
    expect(f?.hint).toBe('get the current chain from the issuer');
    expect(at(from() - 3 * DAY, false)[0]?.message).toMatch(/^the chain certificate rsa2048 is not valid until /);
  });

  it('holds the leaf to KCS_MIN_VALIDITY: an error below it, a warning at it exactly', () => {
    const min = 7 * DAY;
    expect(at(to() - min + 1, true, min)).toEqual([
      {
        code: 'CERT_EXPIRES_SOON',
        severity: 'error',
        message:
          `the certificate rsa2048 expires on ${leaf().validToDate.toISOString()}, in 6 days: ` +
          'less than KCS_MIN_VALIDITY (7 days)',
        hint: 'renew the certificate now, or lower KCS_MIN_VALIDITY',
        file: 'tls.crt',
      },
    ]);
    expect(at(to() - min, true, min).map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:CERT_EXPIRES_SOON']);
  });

  it('does not hold a chain certificate to KCS_MIN_VALIDITY, only warns', () => {
    expect(at(to() - 2 * DAY, false, 7 * DAY).map((f) => `${f.severity}:${f.code}`)).toEqual([
      'warning:CERT_EXPIRES_SOON',
    ]);
  });

  it('warns from 30 days before notAfter, not at 30 days exactly', () => {
    expect(at(to() - 20 * DAY)).toEqual([
      {
        code: 'CERT_EXPIRES_SOON',
        severity: 'warning',
        message: `the certificate rsa2048 expires on ${leaf().validToDate.toISOString()}, in 20 days`,
        hint: 'renew it before then',
        file: 'tls.crt',
      },
    ]);
    expect(at(to() - 30 * DAY)).toEqual([]);
    expect(at(to() - 30 * DAY + 1).map((f) => f.code)).toEqual(['CERT_EXPIRES_SOON']);
  });
});
