// The one shape of a finding or a message on stderr: init and check write findings as they are, watch
// writes a log whose records are one stamped line each.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../sidecar/findings.js';
import { record } from '../../sidecar/out.js';

const f: Finding = {
  code: 'CERT_EXPIRES_SOON',
  severity: 'warning',
  message: 'tls.crt expires in 3 days',
  hint: 'renew it',
  file: '/certs/tls.crt',
};
const at = new Date('2026-11-27T10:00:00.000Z');

describe('record', () => {
  it('writes a finding as its two lines, or as one JSON object led by its level', () => {
    expect(record('text', { finding: f })).toBe(
      'warning: CERT_EXPIRES_SOON tls.crt expires in 3 days\nfix: renew it\n',
    );
    expect(JSON.parse(record('json', { finding: f }))).toEqual({ level: 'warning', ...f });
    expect(Object.keys(JSON.parse(record('json', { finding: f })))[0]).toBe('level');
  });

  it('makes a log line of it when stamped: the time first, one line', () => {
    expect(record('text', { finding: f, msg: 'kept the last good set', level: 'error' }, at)).toBe(
      '2026-11-27T10:00:00.000Z warning: CERT_EXPIRES_SOON tls.crt expires in 3 days | fix: renew it\n',
    );
    expect(record('text', { level: 'info', msg: 'watching /certs' }, at)).toBe(
      '2026-11-27T10:00:00.000Z info: watching /certs\n',
    );
    expect(JSON.parse(record('json', { finding: f, msg: 'kept the last good set', level: 'error' }, at))).toEqual({
      time: '2026-11-27T10:00:00.000Z',
      msg: 'kept the last good set',
      ...f,
      level: 'error',
    });
  });
});
