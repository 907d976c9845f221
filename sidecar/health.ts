// The health server of `watch`: /healthz, /readyz, /metrics (Prometheus text), /status (JSON).
// It reports state only; nothing it serves is secret.
import http from 'node:http';
import type { Finding } from './findings.js';

export interface HealthState {
  generation?: string;
  sha256?: string;
  notAfter?: Date;
  publishes: number;
  failures: number;
  lastSuccess?: Date;
  lastFinding?: Finding;
  degraded: boolean;
  manifest?: Record<string, unknown>;
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

export function startHealthServer(port: number, state: () => HealthState): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const now = new Date();
    const s = state();
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz') return send(200, 'ok\n');
    if (url === '/readyz') {
      if (!isReady(s, now)) return send(503, `not ready: ${s.lastFinding ? `${s.lastFinding.code} ${s.lastFinding.message}` : 'no valid set published yet'}\n`);
      return send(200, s.degraded ? `ready, degraded: the source is invalid (${s.lastFinding?.code}); the last good set is still published\n` : 'ready\n');
    }
    if (url === '/metrics') return send(200, metricsText(s, now), 'text/plain; version=0.0.4');
    if (url === '/status') {
      const body = { ready: isReady(s, now), degraded: s.degraded, generation: s.generation, sha256: s.sha256, notAfter: s.notAfter?.toISOString(), publishes: s.publishes, failures: s.failures, lastSuccess: s.lastSuccess?.toISOString(), renewAt: s.renewAt?.toISOString(), lastFinding: s.lastFinding, manifest: s.manifest };
      return send(200, `${JSON.stringify(body, null, 2)}\n`, 'application/json');
    }
    send(404, 'not found: try /healthz, /readyz, /metrics or /status\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
