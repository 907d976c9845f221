// The health server speaks just enough HTTP/1.1 for kubelet probes, Docker's HEALTHCHECK and
// Prometheus; these are the edges of that.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { route, startHealthServer, type HealthState } from '../../../sidecar/watch/health.js';

const state: HealthState = {
  publishes: 1,
  failures: 0,
  degraded: false,
  generation: '..g',
  sha256: 'AB',
  notAfter: new Date(Date.now() + 86400e3),
};
const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function raw(request: string): Promise<string> {
  const server = await startHealthServer(0, () => state);
  servers.push(server);
  const port = (server.address() as net.AddressInfo).port;
  return new Promise((resolve, reject) => {
    let data = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(request));
    c.on('data', (d) => (data += d));
    c.on('end', () => resolve(data));
    c.on('error', reject);
  });
}

describe('the health server', () => {
  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/readyz?verbose', 200],
    ['GET', '/metrics', 200],
    ['GET', '/status', 200],
    ['GET', '/', 404],
    ['POST', '/readyz', 405],
  ])('%s %s answers %i', (method, target, status) => {
    expect(route(method, target, state, new Date()).status).toBe(status);
  });

  it('is not ready before a set is published, and says why', () => {
    expect(
      route(
        'GET',
        '/readyz',
        {
          publishes: 0,
          failures: 1,
          degraded: false,
          lastFinding: {
            code: 'PASSWORD_WRONG',
            severity: 'error',
            message: 'cannot open /certs/a.pfx: the password does not match',
            hint: '',
          },
        },
        new Date(),
      ),
    ).toEqual({
      status: 503,
      type: 'text/plain; charset=utf-8',
      body: 'not ready: PASSWORD_WRONG cannot open /certs/a.pfx: the password does not match\n',
    });
  });

  it('answers a plain request and closes the connection', async () => {
    expect(await raw('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ' +
        '3\r\ncache-control: no-store\r\nconnection: close\r\n\r\nok\n',
    );
  });
  it('answers HEAD without a body', async () => {
    expect(await raw('HEAD /healthz HTTP/1.0\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 3\r\n[\s\S]*\r\n\r\n$/,
    );
  });
  it('refuses garbage and oversized requests', async () => {
    expect(await raw('hello\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await raw(`GET /${'a'.repeat(9000)} HTTP/1.1\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('the health server refuses an address it cannot listen on with CONFIG_INVALID, naming the setting', () => {
  const refusal = async (port: number, host?: string) => {
    const err = await startHealthServer(port, () => state, host).then(
      (s) => {
        servers.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KcsError);
    return (err as KcsError).finding;
  };
  it('a port another server holds', async () => {
    const busy = await startHealthServer(0, () => state, '127.0.0.1');
    servers.push(busy);
    const { port } = busy.address() as net.AddressInfo;
    const f = await refusal(port, '127.0.0.1');
    expect(f.code).toBe('CONFIG_INVALID');
    expect(f.message).toBe(`the health server cannot listen on 127.0.0.1, port ${port}: the port is in use`);
    expect(f.hint).toContain('KCS_HEALTH_PORT');
  });
  it('an address this machine does not have (TEST-NET-1, RFC 5737)', async () => {
    const f = await refusal(0, '192.0.2.1');
    expect(f.code).toBe('CONFIG_INVALID');
    expect(f.message).toBe('the health server cannot listen on 192.0.2.1, port 0: no such address here');
    expect(f.hint).toContain('KCS_HEALTH_ADDRESS');
  });
});
