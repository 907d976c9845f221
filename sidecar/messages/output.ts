// The words of the findings about where the sidecar writes and what it reaches: the state directory of
// the development CA, the output volume, the trust stores, and the endpoint `probe` asks. Part of the
// catalogue (messages/index.ts).
import { define } from './define.js';

/** The fix for a damaged or foreign state directory. */
const reset = (dir: string) =>
  `if it is damaged, delete ${dir} to create a new CA (then trust the new ca.crt again); ` +
  'if it belongs to something else, point KCS_STATE at an empty directory';

export const STATE_INVALID = define('STATE_INVALID', '`KCS_STATE` is damaged', {
  /** `why`: the error's code, or what the file is not. */
  caUnreadable: (d: { file: string; dir: string; why: string }) => ({
    message: `cannot read the CA in ${d.file}: ${d.why}`,
    hint: reset(d.dir),
  }),
  /** `denied`: the key is there but not readable by this uid. */
  keyUnreadable: (d: { file: string; dir: string; why: string; denied: boolean }) => ({
    message: `cannot read the CA key in ${d.file}: ${d.why}`,
    hint: d.denied ? `run the sidecar as the user that created ${d.dir} (or as root)` : reset(d.dir),
  }),
  keyMismatch: (d: { dir: string; keyFile: string; certFile: string }) => ({
    message: `the CA key in ${d.keyFile} does not belong to ${d.certFile}`,
    hint: reset(d.dir),
  }),
  notCa: (d: { dir: string; certFile: string }) => ({
    message: `${d.certFile} is not a CA certificate`,
    hint: reset(d.dir),
  }),
  expired: (d: { dir: string; certFile: string; at: string }) => ({
    message: `the CA in ${d.certFile} expired on ${d.at}`,
    hint: reset(d.dir),
  }),
  cannotCreate: (d: { dir: string; errno: string | undefined }) => ({
    message: `cannot create the state directory ${d.dir}: ${d.errno}`,
    hint: 'point KCS_STATE at a writable directory (a named volume that only the sidecar mounts)',
  }),
  cannotList: (d: { dir: string; errno: string | undefined; uid: number | undefined }) => ({
    message: `cannot read the state directory ${d.dir}: ${d.errno}`,
    hint: `make ${d.dir} readable and writable by uid ${d.uid} (in the image, use /state, which belongs to 1654)`,
  }),
  /** `marker`: the name of the file that marks a state directory as ours. */
  unmarked: (d: { dir: string; marker: string }) => ({
    message: `${d.dir} holds a ca/ directory but no ${d.marker}: it was not written by kestrel-cert-sidecar`,
    hint: reset(d.dir),
  }),
  /** `caDir`: the ca/ directory; `marked`: the fingerprint the marker records. */
  otherCa: (d: { dir: string; caDir: string; marked: string; marker: string }) => ({
    message: `the CA in ${d.caDir} is not the one ${d.marker} names (sha256 ${d.marked})`,
    hint: reset(d.dir),
  }),
  /** `markerPath`: the marker's path, to delete to start over. */
  caGone: (d: { dir: string; caDir: string; marked: string; markerPath: string }) => ({
    message: `the CA that ${d.dir} held (sha256 ${d.marked}) is gone: ${d.caDir} was removed`,
    hint:
      `restore ${d.caDir} from a backup; or, to start over with a new CA that clients must trust again, ` +
      `delete ${d.markerPath}`,
  }),
  /** `entries`: the first few names found there. */
  foreign: (d: { dir: string; entries: readonly string[] }) => ({
    message: `${d.dir} is not empty (${d.entries.join(', ')}) and holds no CA of ours`,
    hint: 'point KCS_STATE at an empty directory of its own, never at the shared volume',
  }),
  cannotWrite: (d: { dir: string; errno: string | undefined; uid: number | undefined }) => ({
    message: `cannot write the CA into ${d.dir}: ${d.errno}`,
    hint:
      `make ${d.dir} writable by uid ${d.uid} (in the image, use /state, which belongs to 1654), or point ` +
      'KCS_STATE at a writable directory',
  }),
});

/** The fix for a permission error in the output, for the runtime this runs on (`userNamespace`: rootless
 *  Podman or Docker, where root here is not root on the host). */
function permissionFix(d: { dir: string; errno: string; uid: number | undefined; userNamespace: boolean }) {
  if (d.userNamespace)
    // The host directory behind the mount (DIR) is not visible from inside: the fix names it so.
    return (
      `in a user namespace (rootless Podman) a bind mount belongs to a host uid that is not uid ${d.uid} here: ` +
      `mount it with :U (-v DIR:${d.dir}:U), or run \`podman unshare chown ${d.uid}:${d.uid} DIR\` on the host, ` +
      'or use a named volume'
    );
  if (d.errno === 'EPERM')
    return 'run the sidecar as root to publish files for another owner, or set KCS_OWNER to the current uid:gid';
  return `make ${d.dir} writable by uid ${d.uid} (a named volume, or chown the bind mount), or run the sidecar as root`;
}

const ONLY_OURS = 'the sidecar replaces only its own entries and files';
const OUTPUT_FIXES: Record<string, (dir: string) => string> = {
  EROFS: (dir) => `mount ${dir} read-write in the sidecar (only the app mounts it read-only)`,
  ENOSPC: (dir) => `free space on the volume that holds ${dir}; the live set was left as it was`,
  EDQUOT: (dir) => `raise the quota of the volume that holds ${dir}; the live set was left as it was`,
  ELOOP: (dir) => `${dir} must be a directory, not a symlink to one: point KCS_OUTPUT at the directory itself`,
  ENOTDIR: (dir) => `${dir} must be a directory: point KCS_OUTPUT at the volume's mount point`,
  EISDIR: (dir) => `remove the directory that stands in the way in ${dir}; ${ONLY_OURS}`,
};

export const OUTPUT_NOT_WRITABLE = define('OUTPUT_NOT_WRITABLE', 'the output cannot be written', {
  /** `step`: what was being done; `errno`: the system call's error code; `uid`: the effective uid;
   *  `userNamespace`: rootless Podman or Docker (publish/errors.ts tells). */
  failed: (d: { dir: string; step: string; errno: string; uid: number | undefined; userNamespace: boolean }) => ({
    message: `cannot publish to ${d.dir}: ${d.step} failed (${d.errno})`,
    hint:
      d.errno === 'EACCES' || d.errno === 'EPERM'
        ? permissionFix(d)
        : (OUTPUT_FIXES[d.errno]?.(d.dir) ?? `check the volume mounted at ${d.dir}`),
  }),
});

export const OUTPUT_LOCKED = define('OUTPUT_LOCKED', "another writer held the output's lock for 45 s", {
  /** `who`: the holder's pid, host and since when, or how long the lock has been there. */
  held: (d: { dir: string; who: string; staleSeconds: number }) => ({
    message: `cannot publish to ${d.dir}: another writer holds it (${d.who})`,
    hint:
      'run one kestrel-cert-sidecar per output volume; ' +
      `a lock left by a writer that crashed is taken over after ${d.staleSeconds} s`,
  }),
  /** `what`: what stands at the lock's name (`lock`), such as `a directory`. */
  foreign: (d: { dir: string; lock: string; what: string }) => ({
    message:
      `cannot publish to ${d.dir}: ${d.lock} is ${d.what}, not a lock of this sidecar; ` +
      'another uid can write the output, and could hold or change any publish',
    hint:
      `remove ${d.dir}/${d.lock}, mount the volume read-only in every other container, ` +
      'or run the sidecar as root (it takes the output directory)',
  }),
});

export const OUTPUT_REPAIRED = define(
  'OUTPUT_REPAIRED',
  'something in the output was not ours or not right and was replaced',
  {
    /** `what`: what was found and replaced. */
    replaced: (d: { output: string; what: string }) => ({
      message: `${d.output}: ${d.what}`,
      hint:
        'nothing: it was replaced; if another container writes this volume, ' +
        'mount it read-only there (docs/threat-model.md)',
    }),
  },
);

export const OUTPUT_PARENT_WRITABLE = define(
  'OUTPUT_PARENT_WRITABLE',
  'a parent directory of `KCS_OUTPUT` can be written by another uid',
  {
    /** `why`: which parent, and who can write it. */
    parent: (d: { output: string; why: string }) => ({
      message:
        `${d.output}: ${d.why}, so another uid can replace the output with a symlink to any directory, ` +
        'which this sidecar would then take and write',
      hint:
        'mount the volume at a path whose parents only root can write (a mount point, such as /https); ' +
        'docs/threat-model.md',
    }),
  },
);

export const TRUST_STORE_FAILED = define('TRUST_STORE_FAILED', "a store's own command failed", {
  /** `label`: the store; `command`: its command line; `last`: the last line of its output. */
  command: (d: { label: string; command: string; exit: number; last: string }) => ({
    message: `${d.label}: \`${d.command}\` failed (exit ${d.exit})${d.last ? `: ${d.last}` : ''}`,
    hint: 'run that command yourself to see the whole error; `trust --status` shows where the CA is trusted now',
  }),
  write: (d: { file: string; reason: string }) => ({
    message: `system store: cannot write ${d.file}: ${d.reason}`,
    hint: `check what stands at ${d.file} (a directory there is not ours: remove it), then run trust --install again`,
  }),
});

export const PROBE_UNREACHABLE = define('PROBE_UNREACHABLE', '`probe` could not connect or complete TLS', {
  /** `untrusted`: the error is about the server's certificate, not the connection. */
  unreachable: (d: { url: string; error: string | undefined; untrusted: boolean }) => ({
    message: `cannot connect to ${d.url}: ${d.error}`,
    hint: d.untrusted
      ? 'trust the published ca.crt (the default), pass --ca FILE, or --insecure for a self-signed source'
      : 'check that the app is running and listens on that address; --wait 30s retries while it starts',
  }),
});

export const PROBE_MISMATCH = define('PROBE_MISMATCH', '`probe` connected but the server serves another certificate', {
  /** `waited`: probe ran with --wait, so Kestrel had the time to reload. */
  mismatch: (d: { url: string; served: string; expected: string; waited: boolean }) => ({
    message: `${d.url} serves ${d.served}, not the published ${d.expected}`,
    hint: d.waited
      ? 'Kestrel reloads the certificate within about 4 s of a change; ' +
        'check that the app mounts this volume and reads kestrel.env'
      : 'retry with --wait 30s to allow for Kestrel reloading',
  }),
});
