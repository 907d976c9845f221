// Publishes as fast as it can, alternating two sources, until it is killed. One line per publish.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, srcA, srcB] = process.argv.slice(2);
const lib = await import(pathToFileURL(path.resolve('dist/lib/index.mjs')).href);
for (let i = 0; ; i++) {
  const cfg = lib.loadConfig(
    { KCS_SOURCE: i % 2 ? srcB : srcA, KCS_OUTPUT: out, KCS_OWNER: `${process.getuid()}:${process.getgid()}` },
    ['init'],
  );
  const r = await lib.publish(cfg);
  process.stdout.write(`${r.generation}\n`);
}
