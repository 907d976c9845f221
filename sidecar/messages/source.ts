// The words of the findings about finding and reading the source: what is there, which file is meant,
// and whether its bytes can be read at all. Part of the catalogue (messages/index.ts).
import { define } from './define.js';

const TRUST_CA_WHY =
  "trust takes the CA from KCS_STATE or --ca, never from the output's ca.crt, which other containers can write";
const RUN_INIT_FIRST = 'run init first, or pass --expect-sha256 and --ca (or --insecure)';

export const SOURCE_NOT_FOUND = define(
  'SOURCE_NOT_FOUND',
  'the source, a named file, or any certificate in the source directory does not exist',
  {
    nothingToCheck: (d: { output: string }) => ({
      message: `nothing to check: KCS_SOURCE is unset and ${d.output} does not exist`,
      hint: 'set KCS_SOURCE to the certificate to check, or run init first',
    }),
    noCandidate: (d: { source: string }) => ({
      message:
        `cannot find a certificate in ${d.source}: it holds no .pfx, .p12, .pem, .crt, .cer, .der, .key, ` +
        '.ca-bundle or .p7b file',
      hint: 'mount the certificate into the source directory, or unset KCS_SOURCE to generate one',
    }),
    /** `what` is the verb and object in front of the file: `cannot read`, `cannot read KCS_PASSWORD_FILE`. */
    missing: (d: { what: string; file: string }) => ({
      message: `${d.what} ${d.file}: it does not exist`,
      hint: 'check KCS_SOURCE and the volume mount that should provide it',
    }),
    /** `certbot`: the link points into an archive/ directory, as certbot's live/<name> links do. */
    danglingLink: (d: { file: string; target: string; certbot: boolean }) => ({
      message: `cannot read ${d.file}: it is a symlink to ${d.target}, which does not exist here`,
      hint: d.certbot
        ? "mount certbot's whole configuration directory (for example -v /etc/letsencrypt:/etc/letsencrypt:ro) and " +
          'set KCS_SOURCE to its live/<name>: the files of live/<name> are links into archive/<name>'
        : 'mount the directory the link points into as well, or copy the file itself into the source directory',
    }),
    noCertificate: (d: { where: string }) => ({
      message: `cannot find a certificate in ${d.where}`,
      hint: 'mount a PFX, or a certificate with its key',
    }),
    noCertificateForKey: (d: { keyFile: string }) => ({
      message: `cannot find a certificate for the key in ${d.keyFile}`,
      hint: 'mount the certificate beside the key',
    }),
    noEntry: (d: { entry: string; where: string; entries: readonly string[] }) => ({
      message:
        `cannot find the entry KCS_CERT_ENTRY=${d.entry} in ${d.where}: the certificates with their key are ` +
        d.entries.join(', '),
      hint: 'set KCS_CERT_ENTRY to one of those names or SHA-256 thumbprints',
    }),
    /** probe: what it reads of the published set. */
    notPublished: (d: { what: string; file: string; why: string }) => ({
      message: `cannot read ${d.what} ${d.file}: ${d.why}`,
      hint: RUN_INIT_FIRST,
    }),
    probeCa: (d: { file: string; errno: string | undefined }) => ({
      message: `cannot read the CA file ${d.file}: ${d.errno}`,
      hint: RUN_INIT_FIRST,
    }),
    noTrustState: () => ({
      message:
        'no development CA to trust: KCS_STATE is unset, so the CA of the last run lived for that run only; ' +
        TRUST_CA_WHY,
      hint:
        'set KCS_STATE to where init keeps the CA (in the image: mount its volume at /state), or pass the CA with ' +
        '--ca FILE',
    }),
    /** `sudoUser`: trust ran as root through sudo, for that user; `action`: the trust action it ran. */
    noTrustCa: (d: { file: string; sudoUser: string | undefined; action: string }) => ({
      message: `no development CA in ${d.file}: ${TRUST_CA_WHY}`,
      hint: d.sudoUser
        ? `this ran as root (sudo), whose state holds no CA: as ${d.sudoUser}, run ` +
          '`kestrel-cert-sidecar trust --print > ca.crt`, ' +
          `then \`sudo kestrel-cert-sidecar trust --${d.action} --ca ca.crt\``
        : 'run `kestrel-cert-sidecar init` first (it creates the development CA there), or pass the CA with ' +
          '--ca FILE (what `trust --print` writes where the CA lives)',
    }),
  },
);

export const SOURCE_EMPTY = define(
  'SOURCE_EMPTY',
  '`KCS_SOURCE` is a directory with no certificate or key file at all',
  {
    generated: (d: { source: string | undefined }) => ({
      message: `${d.source} holds no certificate, so one was generated`,
      hint: 'nothing, for development; mount a PFX or PEM pair there to use your own certificate',
    }),
  },
);

export const SOURCE_UNREADABLE = define(
  'SOURCE_UNREADABLE',
  'permission denied; not a regular file (a directory, FIFO, socket or device); ' +
    'a symlink that leaves the source directory',
  {
    /** `uid`: the user the sidecar runs as. */
    permissionDenied: (d: { what: string; file: string; uid: number | undefined }) => ({
      message: `${d.what} ${d.file}: permission denied`,
      hint:
        d.uid === 0
          ? 'check the mount: the file must be readable by root'
          : `make the file readable by uid ${d.uid} (for example chmod 0444, or chgrp to the sidecar's group and ` +
            'chmod 0440), or run the sidecar as root, which hands the published files to KCS_OWNER',
    }),
    symlinkLoop: (d: { what: string; file: string }) => ({
      message: `${d.what} ${d.file}: its symlinks loop`,
      hint: 'fix the symlink so it points at a file',
    }),
    /** Any other error of the file system: `reason` is its code (EIO) or message. */
    io: (d: { what: string; file: string; reason: string }) => ({
      message: `${d.what} ${d.file}: ${d.reason}`,
      hint: 'check the volume mount and the file',
    }),
    linkOutside: (d: { file: string; real: string; root: string | undefined }) => ({
      message: `cannot read ${d.file}: it is a symlink to ${d.real}, outside the source directory ${d.root}`,
      hint: 'copy the file into the source directory, or point KCS_SOURCE (or KCS_CERT_FILE) at it directly',
    }),
    /** `kind`: what stands there, such as `a directory`. */
    notRegular: (d: { file: string; kind: string }) => ({
      message: `cannot read ${d.file}: it is ${d.kind}, not a regular file`,
      hint: 'point KCS_SOURCE (or KCS_CERT_FILE) at the certificate file itself',
    }),
    /** A password file (`variable`: KCS_PASSWORD_FILE...) that links out of its own directory. */
    secretLinkOutside: (d: { variable: string; file: string; real: string; dir: string }) => ({
      message: `cannot read ${d.variable} ${d.file}: it is a symlink to ${d.real}, outside its own directory ${d.dir}`,
      hint:
        `point ${d.variable} at the secret file itself ` +
        "(a Docker secret in /run/secrets, a Kubernetes secret's mount)",
    }),
  },
);

export const SOURCE_AMBIGUOUS = define('SOURCE_AMBIGUOUS', 'two candidate certificates', {
  /** `files`: the base names of the PFX files. */
  severalPfx: (d: { source: string; files: readonly string[] }) => ({
    message: `cannot choose a certificate in ${d.source}: it holds ${d.files.length} PFX files (${d.files.join(', ')})`,
    hint: `set KCS_CERT_FILE to the one to publish, for example KCS_CERT_FILE=${d.files[0]}`,
  }),
  /** `pfx` and `keyFile`: base names. */
  pfxBesideKey: (d: { dir: string; pfx: string; keyFile: string }) => ({
    message: `cannot choose a certificate in ${d.dir}: it holds ${d.pfx} and a private key in ${d.keyFile}`,
    hint: `set KCS_CERT_FILE=${d.pfx} to use the PFX, or remove one of them`,
  }),
  /** `entries`: each entry described; `last`: the one Kestrel loads; `example`: its name or thumbprint. */
  keystoreEntries: (d: { file: string; entries: readonly string[]; last: string; example: string }) => ({
    message:
      `cannot choose a certificate in ${d.file}: it holds ${d.entries.length} entries with their key ` +
      `(${d.entries.join(', ')}); Kestrel itself would load the last one, ${d.last}`,
    hint:
      'set KCS_CERT_ENTRY to the entry to publish, by its name or SHA-256 thumbprint, for example ' +
      `KCS_CERT_ENTRY=${d.example}`,
  }),
  /** `pairs`: `<CN> in <file>` of each; `example`: the base name of the first certificate file. */
  severalPairs: (d: { where: string; pairs: readonly string[]; example: string }) => ({
    message:
      `cannot choose a certificate in ${d.where}: ${d.pairs.length} certificates have their key ` +
      `(${d.pairs.join(', ')})`,
    hint: `set KCS_CERT_FILE and KCS_KEY_FILE to the pair to publish, for example KCS_CERT_FILE=${d.example}`,
  }),
});

/** `base`: the file's name without its extension, for the rename it needs to be read. */
const renameTo = (base: string) => `rename it to ${base}.crt (or .ca-bundle)`;

export const SOURCE_FILE_SKIPPED = define(
  'SOURCE_FILE_SKIPPED',
  'a file of the source that looks like a certificate, key or bundle is not read',
  {
    /** A PEM file beside a PFX that cannot be parsed (`why`: the parser's reason). */
    besidePfx: (d: { file: string; pfx: string; why: string }) => ({
      message: `${d.file} beside ${d.pfx} is not used: ${d.why}`,
      hint: 'remove the file, or export it again if its certificates belong to the chain',
    }),
    /** `holds`: what the file holds instead of a certificate, key or bundle. */
    unused: (d: { file: string; holds: string }) => ({
      message: `${d.file} is not used: it holds ${d.holds}`,
      hint: 'nothing, if it is not meant to be published',
    }),
    /** A file not read that holds an issuer of the chain. `unnamed`: skipped for its name alone. */
    issuer: (d: { file: string; issuer: string; child: string; why: string; unnamed: boolean; base: string }) => ({
      message:
        `${d.file} holds ${d.issuer}, the issuer of ${d.child}, but is not read (${d.why}): ` +
        'without it the published chain would stop short',
      hint: d.unnamed
        ? `${renameTo(d.base)} so it is read with the certificate`
        : 'add its certificates to the certificate file, after the leaf',
    }),
    /** A file not read that holds a private key (`key`) or `certs` certificates, the first named `first`. */
    holds: (d: {
      file: string;
      key: boolean;
      certs: number;
      first: string | undefined;
      why: string;
      unnamed: boolean;
      base: string;
    }) => {
      const count = d.certs === 1 ? 'a certificate' : `${d.certs} certificates`;
      const fix = d.key ? `rename it to ${d.base}.key` : renameTo(d.base);
      return {
        message: `${d.file} holds ${d.key ? 'a private key' : `${count} (${d.first})`} and is not read: ${d.why}`,
        hint: d.unnamed
          ? `if it belongs to this certificate, ${fix}; otherwise move it out of the source directory`
          : 'move it out of the source directory if it does not belong there, or set KCS_CERT_FILE to the file to use',
      };
    },
    notRead: (d: { file: string; why: string }) => ({
      message: `${d.file} is not read: ${d.why}`,
      hint: 'nothing, if it is not meant to be published',
    }),
  },
);

export const UNSUPPORTED_FORMAT = define(
  'UNSUPPORTED_FORMAT',
  'a Java KeyStore (JKS), JCEKS or Bouncy Castle (BKS) keystore',
  {
    /** `name`: the keystore's kind in words; `type`: keytool's -srcstoretype. */
    keystore: (d: { file: string; name: string; type: string }) => ({
      message: `cannot read ${d.file}: it is ${d.name}, which neither Kestrel nor OpenSSL reads`,
      hint:
        `convert it to PKCS#12 with Java's keytool: keytool -importkeystore -srckeystore ${d.file} -srcstoretype ` +
        d.type +
        (d.type === 'BKS' ? ' -srcprovidername BC (with the Bouncy Castle provider on the class path)' : '') +
        ' -destkeystore keystore.p12 -deststoretype PKCS12, then mount keystore.p12',
    }),
  },
);
