// Publishes N changed sets in a row through the library (dist/lib), alternating two sources, and
// prints how each ended: {"ok": n, "failed": {"OUTPUT_NOT_WRITABLE": n}, "other": [...]}.
import { loadConfig, publish, KcsError } from '../../../dist/lib/index.mjs';

const [out, state, count, ...sources] = process.argv.slice(2);
const result = { ok: 0, failed: {}, other: [] };
const t0 = Date.now();
for (let i = 0; i < Number(count); i++) {
  const cfg = loadConfig({ KCS_OUTPUT: out, KCS_STATE: state, KCS_SOURCE: sources[i % sources.length] }, ['init']);
  try {
    // Twenty seconds apart on the publisher's clock, so every retired generation is past its grace.
    await publish(cfg, { now: new Date(t0 + i * 20_000) });
    result.ok++;
  } catch (err) {
    if (err instanceof KcsError) result.failed[err.code] = (result.failed[err.code] ?? 0) + 1;
    else result.other.push(String(err?.stack ?? err));
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
