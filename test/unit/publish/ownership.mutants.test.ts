// Who owns what the sidecar publishes (sidecar/publish/ownership.ts), for the uid the tests run as.
// Written to kill its mutants (docs/testing.md, "Mutation score").
import { describe, expect, it } from 'vitest';
import { ownership } from '../../../sidecar/publish/ownership.js';

describe('ownership', () => {
  it.runIf(process.geteuid?.() === 0)("as root: root owns every file, with KCS_OWNER's group, or root's", () => {
    expect(ownership({ uid: 1654, gid: 1655 })).toEqual({ root: true, files: { uid: 0, gid: 1655 }, dirsGid: 1655 });
    expect(ownership(undefined)).toEqual({ root: true, files: { uid: 0, gid: 0 }, dirsGid: 0 });
  });

  it.runIf(process.geteuid?.() !== 0)('not root: KCS_OWNER owns the files, or nobody is named', () => {
    expect(ownership({ uid: 1654, gid: 1655 })).toEqual({
      root: false,
      files: { uid: 1654, gid: 1655 },
      dirsGid: 1655,
    });
    expect(ownership(undefined)).toEqual({ root: false });
  });
});
