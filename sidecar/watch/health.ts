// The health server of `watch`: /healthz, /readyz, /metrics (Prometheus text), /status (JSON).
// It reports state only; nothing it serves is secret.
import net from 'node:net';
import { raise, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';

export interface HealthState {
  generation?: string;
  sha256?: string;
  notAfter?: Date;
  publishes: number;
  failures: number;
  lastSuccess?: Date;
  lastFinding?: Finding;
  degraded: boolean;
  manifest?: Record<string, unknown> | undefined;
  /** When a generated certificate is renewed (two-thirds of its lifetime). */
  renewAt?: Date | undefined;
}

export function metricsText(s: HealthState, now: Date): string {
  const lines = [
    '# HELP kcs_certificate_expiry_seconds Seconds until the published certificate expires.',
    '# TYPE kcs_certificate_expiry_seconds gauge',
    `kcs_certificate_expiry_seconds ${s.notAfter ? Math.round((s.notAfter.getTime() - now.getTime()) / 1000) : 'NaN'}`,
    '# HELP kcs_generation_info The live generation.',
    '# TYPE kcs_generation_info gauge',
    `kcs_generation_info{generation="${s.generation ?? ''}",sha256="${s.sha256 ?? ''}"} 1`,
    '# HELP kcs_publishes_total Generations published.',
    '# TYPE kcs_publishes_total counter',
    `kcs_publishes_total ${s.publishes}`,
    '# HELP kcs_failed_attempts_total Attempts that found the source invalid or could not publish.',
    '# TYPE kcs_failed_attempts_total counter',
    `kcs_failed_attempts_total ${s.failures}`,
    '# HELP kcs_last_success_timestamp_seconds When a valid set was last confirmed or published.',
    '# TYPE kcs_last_success_timestamp_seconds gauge',
    `kcs_last_success_timestamp_seconds ${s.lastSuccess ? Math.floor(s.lastSuccess.getTime() / 1000) : 0}`,
    '# HELP kcs_ready 1 when a valid, unexpired set is published.',
    '# TYPE kcs_ready gauge',
    `kcs_ready ${isReady(s, now) ? 1 : 0}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function isReady(s: HealthState, now: Date): boolean {
  return s.generation !== undefined && s.notAfter !== undefined && s.notAfter > now;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};
/** Probes and scrapers send a request line and a few headers; anything longer is not one of them. */
const MAX_REQUEST_BYTES = 8192;

/** The response to one request line. Pure, so the routes can be tested without sockets. */
export function route(
  method: string,
  target: string,
  s: HealthState,
  now: Date,
): { status: number; type: string; body: string } {
  const text = (status: number, body: string) => ({ status, type: 'text/plain; charset=utf-8', body });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'only GET\n');
  const url = target.split('?')[0];
  if (url === '/healthz') return text(200, 'ok\n');
  if (url === '/readyz') {
    const last = s.lastFinding ? `${s.lastFinding.code} ${s.lastFinding.message}` : undefined;
    if (!isReady(s, now)) return text(503, `not ready: ${last ?? 'no valid set published yet'}\n`);
    return text(
      200,
      s.degraded
        ? `ready, degraded: the last attempt failed (${last ?? 'see the log'}); the last good set is still published\n`
        : 'ready\n',
    );
  }
  if (url === '/metrics') return { status: 200, type: 'text/plain; version=0.0.4', body: metricsText(s, now) };
  if (url === '/status') {
    const body = {
      ready: isReady(s, now),
      degraded: s.degraded,
      generation: s.generation,
      sha256: s.sha256,
      notAfter: s.notAfter?.toISOString(),
      publishes: s.publishes,
      failures: s.failures,
      lastSuccess: s.lastSuccess?.toISOString(),
      renewAt: s.renewAt?.toISOString(),
      lastFinding: s.lastFinding,
      manifest: s.manifest,
    };
    return { status: 200, type: 'application/json', body: `${JSON.stringify(body, null, 2)}\n` };
  }
  return text(404, 'not found: try /healthz, /readyz, /metrics or /status\n');
}

/** Most connections open at once. Probes and scrapers use one or two; a client that opens hundreds
 *  and trickles bytes must not take every file descriptor of the process (publishes need some). */
export const MAX_CONNECTIONS = 32;
/** A whole request, from connect to the blank line, must arrive within this, however it trickles. */
export const REQUEST_DEADLINE_MS = 5000;

/**
 * The health server: HTTP/1.1 on node:net, one request per connection, for four GET routes that
 * kubelet probes and Prometheus read with a request line and a few headers. The same server on
 * node:http (createServer with requestTimeout, headersTimeout, maxHeaderSize) was measured at +1.6 MB
 * of idle RSS, 55.8 MB against 54.2 MB: 1.31x a bare idle Node, over the 1.3x bar (docs/performance.md).
 * `host` undefined listens on every address (what kubelet's probes need: they come to the pod's IP).
 * `fault` is a test seam, called for each request.
 */
export function startHealthServer(
  port: number,
  state: () => HealthState,
  host?: string,
  fault?: () => void,
): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let head = '';
    // The deadline counts from the connection, not from the last byte: one byte every few seconds
    // would otherwise hold the connection open for ever.
    const deadline = setTimeout(() => socket.destroy(), REQUEST_DEADLINE_MS);
    deadline.unref();
    socket.on('close', () => clearTimeout(deadline));
    socket.on('error', () => socket.destroy());
    const reply = (status: number, type: string, body: string, withBody = true) => {
      const bytes = Buffer.from(body, 'utf8');
      socket.end(
        `HTTP/1.1 ${status} ${REASONS[status] ?? ''}\r\ncontent-type: ${type}\r\ncontent-length: ${bytes.length}\r\n` +
          `cache-control: no-store\r\nconnection: close\r\n\r\n${withBody ? body : ''}`,
      );
    };
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.length > MAX_REQUEST_BYTES) return reply(431, 'text/plain', 'request too large\n');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(head.slice(0, head.indexOf('\r\n')));
      if (!m) return reply(400, 'text/plain', 'bad request\n');
      try {
        fault?.();
        const r = route(m[1]!, m[2]!, state(), new Date());
        reply(r.status, r.type, r.body, m[1] !== 'HEAD');
      } catch {
        reply(503, 'text/plain', 'internal error while answering; the sidecar keeps running\n');
      }
    });
  });
  // Past this, new connections are refused by closing them at once: the oldest keep their turn.
  server.maxConnections = MAX_CONNECTIONS;
  server.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host ?? 'every address'}, port ${port}`;
      if (err.code === 'EADDRINUSE') reject(raise(messages.CONFIG_INVALID.healthPortInUse({ where })));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(raise(messages.CONFIG_INVALID.healthNoAddress({ where })));
      else if (err.code === 'EACCES') reject(raise(messages.CONFIG_INVALID.healthDenied({ where })));
      else reject(err);
    });
    server.listen(port, host, () => resolve(server));
  });
}
