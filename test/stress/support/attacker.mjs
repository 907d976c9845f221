// The attacker of the hostile-volume race test, run as uid 1654 (the app, or a co-tenant that can
// write the output volume). On every inotify event in the output it tries, as fast as it can:
//  - the swap race: rename a new generation directory away and put a symlink to VICTIM in its place;
//  - a ..data of its own: a directory with cert.password -> SECRET, swapped in as ..data;
//  - temporary links: ..data_tmp and ..tls.key_tmp as symlinks to VICTIM;
//  - a lock of its own: a directory at ..kcs.lock, removed again 5 ms later (a publish refused by
//    it makes no event to answer).
// On SIGTERM it prints what it tried and what the kernel let it do, as JSON, and exits.
import fs from 'node:fs';
import path from 'node:path';

const [out, victim, secret] = process.argv.slice(2);
const counts = {
  events: 0,
  swapTried: 0,
  swapDone: 0,
  dataTried: 0,
  dataDone: 0,
  tmpTried: 0,
  tmpDone: 0,
  lockTried: 0,
  lockDone: 0,
};
const LOCK = path.join(out, '..kcs.lock');
let lockPlanted = false;
const unplant = () => {
  try {
    fs.rmdirSync(LOCK);
  } catch {
    // not ours (the sidecar's lock file), or gone
  }
  lockPlanted = false;
};
let n = 0;
/** Names it made itself: their events are not the sidecar's doing, and are not answered (that loops). */
const mine = new Set();
const made = (name) => {
  mine.add(name);
  return path.join(out, name);
};
const attempt = (what, fn) => {
  counts[`${what}Tried`]++;
  try {
    fn();
    counts[`${what}Done`]++;
  } catch {
    // refused by the kernel: what the sidecar's ownership of the output is for
  }
};
fs.watch(out, (_event, name) => {
  if (!name || mine.has(name) || name === '..data' || name === '..data_tmp' || name === '..tls.key_tmp') return;
  counts.events++;
  n++;
  if (/^\.\.2\d{3}_/.test(name)) {
    attempt('swap', () => {
      fs.renameSync(path.join(out, name), made(`moved-${n}`));
      fs.symlinkSync(victim, made(name));
    });
  }
  if (n % 5 === 0) {
    attempt('data', () => {
      const evil = made(`..2030_01_01_00_00_00.${String(n % 1e6).padStart(6, '0')}`);
      fs.mkdirSync(evil);
      fs.symlinkSync(secret, path.join(evil, 'cert.password'));
      fs.symlinkSync(path.basename(evil), made(`..evil-${n}`));
      fs.renameSync(path.join(out, `..evil-${n}`), path.join(out, '..data'));
    });
  }
  if (n % 7 === 0) {
    attempt('tmp', () => {
      fs.symlinkSync(victim, made(`..tmp-${n}`));
      fs.renameSync(path.join(out, `..tmp-${n}`), path.join(out, n % 2 ? '..data_tmp' : '..tls.key_tmp'));
    });
  }
  if (n % 11 === 0 && !lockPlanted) {
    attempt('lock', () => {
      fs.mkdirSync(LOCK);
      lockPlanted = true;
      setTimeout(unplant, 5);
    });
  }
});
process.on('SIGTERM', () => {
  if (lockPlanted) unplant();
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');
