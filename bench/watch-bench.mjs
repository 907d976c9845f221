// Benchmarks of `watch`: rotation latency (new source fully written -> new ..data live) and the idle
// footprint over 60 s beside bare Node idling in the same window.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICKS = 100; // USER_HZ on Linux

function procStat(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { cpuTicks, rssKb };
}

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return;
    await sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function benchWatch({ BIN, FIX, node, tmp, stats, fmt }) {
  const rows = [];
  const dir = tmp();
  const src = path.join(dir, 'src');
  const out = path.join(dir, 'out');
  fs.mkdirSync(src);
  const bundles = ['rsa2048', 'p256'].map((n) =>
    Buffer.concat([
      fs.readFileSync(path.join(FIX, `${n}.key`)),
      fs.readFileSync(path.join(FIX, `${n}.crt`)),
      fs.readFileSync(path.join(FIX, 'inter.crt')),
    ]),
  );
  const write = (i) => {
    const tmpFile = path.join(src, '.incoming');
    fs.writeFileSync(tmpFile, bundles[i % 2]);
    fs.renameSync(tmpFile, path.join(src, 'server.pem'));
  };
  write(0);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const w = spawn(
    node,
    [BIN, 'watch', '--source', src, '--output', out, '--health-port', String(port), '--min-validity', '1h'],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const live = () => {
    try {
      return fs.readlinkSync(path.join(out, '..data'));
    } catch {
      return undefined;
    }
  };
  try {
    await waitFor(() => live() !== undefined, 10_000, 'the first publish');
    await sleep(300);
    const samples = [];
    for (let i = 1; i <= 50; i++) {
      const before = live();
      write(i);
      const t = process.hrtime.bigint();
      await waitFor(() => live() !== before, 10_000, `rotation ${i}`);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      await sleep(50);
    }
    const s = stats(samples);
    rows.push({
      what: 'watch rotation latency, 50 rotations: median / p95',
      value: `${fmt(s.median)} / ${fmt(s.p95)}`,
      baseline: 'debounce window 100 ms (included)',
      ratio: '-',
      target: 'median < 300 ms',
    });
  } finally {
    w.kill('SIGTERM');
  }
  // Idle: a fresh watch (no rotations before it) and a bare Node process that only waits, over the same window.
  const idleS = Number(process.env.BENCH_IDLE_S ?? 60);
  const idleOut = path.join(tmp(), 'out');
  const idle = spawn(node, [BIN, 'watch', '--source', src, '--output', idleOut, '--health-port', String(port + 1)], {
    stdio: 'ignore',
  });
  const bare = spawn(node, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  // The same source polled, as on a mount without inotify (a stat of the watched files every 2 s).
  const pollOut = path.join(tmp(), 'out');
  const polling = spawn(
    node,
    [BIN, 'watch', '--source', src, '--output', pollOut, '--health-port', String(port + 2), '--watch-mode', 'poll'],
    { stdio: 'ignore' },
  );
  try {
    await waitFor(() => fs.existsSync(path.join(idleOut, '..data')), 10_000, 'the idle watch to publish');
    await waitFor(() => fs.existsSync(path.join(pollOut, '..data')), 10_000, 'the polling watch to publish');
    await sleep(2000);
    const a0 = procStat(idle.pid);
    const b0 = procStat(bare.pid);
    const p0 = procStat(polling.pid);
    await sleep(idleS * 1000);
    const a1 = procStat(idle.pid);
    const b1 = procStat(bare.pid);
    const p1 = procStat(polling.pid);
    const cpu = (x0, x1) => (((x1.cpuTicks - x0.cpuTicks) / TICKS / idleS) * 100).toFixed(2);
    rows.push({
      what: `watch idle RSS over ${idleS} s`,
      value: `${(a1.rssKb / 1024).toFixed(1)} MB`,
      baseline: `bare node idling ${(b1.rssKb / 1024).toFixed(1)} MB`,
      ratio: `${(a1.rssKb / b1.rssKb).toFixed(2)}x`,
      target: '<= 1.3x bare node',
    });
    rows.push({
      what: `watch idle CPU over ${idleS} s`,
      value: `${cpu(a0, a1)} %`,
      baseline: `bare node idling ${cpu(b0, b1)} %`,
      ratio: '-',
      target: 'about 0 % (no busy polling)',
    });
    rows.push({
      what: `watch idle CPU over ${idleS} s, polling the source every 2 s`,
      value: `${cpu(p0, p1)} % (RSS ${(p1.rssKb / 1024).toFixed(1)} MB)`,
      baseline: `bare node idling ${cpu(b0, b1)} %`,
      ratio: '-',
      target: 'about 0 %',
    });
  } finally {
    polling.kill('SIGTERM');
    idle.kill('SIGTERM');
    bare.kill();
  }
  return rows;
}
