// The strict clients of the generator, each trusting only the case's ca.crt and asking for `localhost`,
// as the matrix has them: OpenSSL 3 s_client -verify_return_error -verify_hostname, curl, Node's
// tls.connect, Python's ssl (one process for a batch) and .NET's HttpClient (the judge's getmany, one
// process for a batch). Each verdict is the client's own; `error` is its reason, for the report.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import tls from 'node:tls';
import { cleanEnv } from '../../integration/support/env.js';

export const CLIENTS = ['openssl', 'curl', 'node', 'python', 'dotnet'] as const;
export type Client = (typeof CLIENTS)[number];
export interface Verdict {
  ok: boolean;
  error?: string;
}
export interface Target {
  id: string;
  port: number;
  anchor: string;
}

function runTool(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(cmd, args, { timeout: 20_000, ...(env ? { env } : {}) }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, out: `${stdout}\n${stderr}` }),
    );
    child.stdin?.end();
  });
}

export async function opensslClient(t: Target): Promise<Verdict> {
  const args = ['s_client', '-connect', `127.0.0.1:${t.port}`, '-servername', 'localhost'];
  args.push('-verify_return_error', '-verify_hostname', 'localhost', '-CAfile', t.anchor);
  const r = await runTool('openssl', args);
  if (r.code === 0 && r.out.includes('Verify return code: 0 (ok)')) return { ok: true };
  // The verify error when the chain was refused, else the handshake's own error (the server's alert).
  const why =
    /verify error:num=\d+:([^\n]+)/.exec(r.out)?.[1] ??
    /:error:[0-9A-F]+:[^:]*:[^:]*:([^:\n]+)/.exec(r.out)?.[1] ??
    /Verify return code: ([^\n]+)/.exec(r.out)?.[1];
  return { ok: false, error: why ?? r.out.trim().split('\n').slice(-1)[0] ?? `exit ${r.code}` };
}

export async function curlClient(t: Target): Promise<Verdict> {
  const args = ['-sS', '--max-time', '10', '--cacert', t.anchor, '--resolve', `localhost:${t.port}:127.0.0.1`];
  const r = await runTool('curl', [...args, `https://localhost:${t.port}/`], cleanEnv({ CURL_CA_BUNDLE: t.anchor }));
  return r.code === 0 ? { ok: true } : { ok: false, error: r.out.trim().split('\n')[0] ?? `exit ${r.code}` };
}

export function nodeClient(t: Target): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port: t.port, servername: 'localhost', ca: fs.readFileSync(t.anchor) },
      () => {
        socket.end();
        resolve({ ok: true });
      },
    );
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

const PYTHON = `
import json, socket, ssl, sys
for line in sys.stdin:
    t = json.loads(line)
    try:
        ctx = ssl.create_default_context(cafile=t['anchor'])
        with socket.create_connection(('127.0.0.1', t['port']), timeout=10) as s:
            ctx.wrap_socket(s, server_hostname='localhost').close()
        print(json.dumps({'id': t['id'], 'ok': True}), flush=True)
    except Exception as e:
        print(json.dumps({'id': t['id'], 'ok': False, 'error': str(e)}), flush=True)
`;

/** Runs one process for all targets: JSON lines in, {id, ok, error} lines out. */
function batch(cmd: string, args: string[], targets: Target[]): Promise<Map<string, Verdict>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: cleanEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
    const out = new Map<string, Verdict>();
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      const r = JSON.parse(l) as { id: string; ok: boolean; error?: string };
      out.set(r.id, r.ok ? { ok: true } : { ok: false, error: r.error ?? 'refused' });
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(`${targets.map((t) => JSON.stringify(t)).join('\n')}\n`);
  });
}

export const pythonClients = (targets: Target[]) =>
  batch(process.env.MATRIX_PYTHON ?? 'python3', ['-c', PYTHON], targets);
export const dotnetClients = (judge: string, targets: Target[]) => batch('dotnet', [judge, 'getmany'], targets);
