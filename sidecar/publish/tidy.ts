// Step (9) of the writer, also run by `watch` when a retired generation is due: removes retired
// generations past their grace period, strays, and temporary links.
import type { Dir } from './dir.js';
import { ANY_GEN, compareGenerations, generationTime } from './generations.js';
import { DATA_TMP, TMP } from './links.js';
import { proveLive } from './live-set.js';

/** How long a retired generation stays: readers that resolved ..data just before a swap may still
 *  open files through it. Kestrel polls every 4 s; 10 s covers a poll and the read after it. */
export const GRACE_MS = 10_000;

/** Removes retired generations past the grace period and strays; returns when the next one is due. */
export function cleanupIn(out: Dir, now: Date): Date | undefined {
  const live = proveLive(out).generation;
  const names = out
    .readdir()
    .filter((n) => ANY_GEN.test(n))
    .sort(compareGenerations);
  let next: Date | undefined;
  names.forEach((name, i) => {
    if (name === live) return;
    const stray = live === undefined || compareGenerations(name, live) > 0;
    // A generation was retired when the next one was made: the earlier of the time in the next
    // one's name and its change time on this machine's clock (the name may come from a clock that
    // has since gone backwards; a test's clock is behind the change time).
    const next1 = names[i + 1];
    const retired =
      next1 === undefined ? 0 : Math.min(generationTime(next1), out.lstat(next1)?.ctimeMs ?? Number.POSITIVE_INFINITY);
    const due = retired + GRACE_MS;
    if (stray || !(due > now.getTime())) out.remove(name);
    else if (!next || due < next.getTime()) next = new Date(due);
  });
  // Temporary links of a publisher killed between symlink() and rename(), or whatever took their names.
  for (const name of out.readdir()) if (name === DATA_TMP || TMP.test(name)) out.remove(name);
  return next;
}
