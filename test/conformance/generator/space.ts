// The generated certificate space: a seed names one chain. Each case starts from a chain that every
// consumer accepts (a root, zero to two intermediates, a server leaf for `localhost`) and applies zero
// to four mutations, each drawn from the dimensions below, so that most cases sit next to the border
// between usable and not, where a missing rule shows. The same seed gives the same case on every
// machine (the keys differ, the features do not): that is what makes a failing seed a regression case.

export const KEY_TYPES = ['rsa1024', 'rsa2048', 'rsa3072', 'p256', 'p384', 'p192'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DIGESTS = ['sha1', 'sha256', 'sha384'] as const;
export type Digest = (typeof DIGESTS)[number];

/** One certificate to issue. `ext` are lines of an OpenSSL extension section (v3 only). */
export interface CertSpec {
  role: string;
  /** The role that signs it: itself for a self-signed certificate. */
  issuer: string;
  /** The role whose key it certifies (a cross-signed certificate certifies another role's key). */
  keyOf: string;
  version: 1 | 3;
  /** OpenSSL -subj form; '/' is the empty subject. */
  subject: string;
  key: KeyType;
  digest: Digest;
  ext: string[];
}

export interface CaseSpec {
  seed: number;
  /** In issuance order: every issuer comes before what it signs. */
  certs: CertSpec[];
  /** tls.crt, in this order (roles). */
  bundle: string[];
  /** ca.crt: what the clients trust and what `check` is told is the anchor (a Kubernetes secret's ca.crt). */
  anchor: string;
  /** What the mutations did, one phrase each. */
  mutations: string[];
}

/** The dimensions and their values, as docs/compatibility.md lists them. */
export const DIMENSIONS: Record<string, readonly string[]> = {
  intermediates: ['0', '1', '2'],
  'version (any level)': ['v1 (no extensions)', 'v3'],
  'basicConstraints (any level)': ['absent', 'CA:FALSE', 'CA:FALSE critical', 'CA:TRUE', 'CA:TRUE critical'],
  'pathLenConstraint (CA:TRUE)': ['none', '0', '1'],
  'keyUsage (any level)': [
    'absent',
    'any subset of digitalSignature, nonRepudiation, keyEncipherment, keyAgreement, keyCertSign, cRLSign',
    'critical or not',
  ],
  'extendedKeyUsage (any level)': [
    'absent',
    'serverAuth',
    'clientAuth',
    'anyExtendedKeyUsage',
    'serverAuth, clientAuth',
    'clientAuth, anyExtendedKeyUsage',
    'serverAuth, anyExtendedKeyUsage',
    'codeSigning',
  ],
  'Netscape cert type (any level)': ['absent', 'server', 'client', 'server, client', 'sslCA', 'objsign'],
  'nameConstraints (any level)': [
    'permitted DNS:localhost',
    'permitted DNS:example.com',
    'excluded DNS:localhost',
    'permitted IP:127.0.0.0/8',
    'excluded IP:127.0.0.0/8',
    'critical or not',
  ],
  'key (any level)': [...KEY_TYPES],
  'signature digest (any level)': [...DIGESTS],
  'subject (any level)': ['present', 'empty', 'O= only (no CN)'],
  'subjectAltName (leaf)': [
    'DNS:localhost',
    'DNS:localhost critical',
    'absent',
    'DNS:example.com',
    'IP:127.0.0.1',
    'DNS:localhost, IP:127.0.0.1',
  ],
  'bundle order': ['leaf first, then issuers', 'leaf last', 'shuffled'],
  'bundle extras': ['duplicate leaf', 'duplicate intermediate', 'root included', 'an intermediate left out'],
  'strangers in the bundle': [
    'an unrelated self-signed CA',
    'an unrelated leaf',
    "an impostor with the intermediate's name and another key",
  ],
  'anchor (ca.crt)': [
    'the self-signed root',
    'the top intermediate (not self-signed)',
    'cross-signed: the old root, with the new root cross-signed by it in the bundle',
    'cross-signed: the new self-signed root, with its cross-signed form in the bundle',
    'cross-signed: the old root, cross-signed form left out',
  ],
};

/** sfc32, seeded from the case seed through splitmix32: small, fast, the same in every engine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
const leafExt = (key: KeyType) => [
  'subjectAltName=DNS:localhost',
  'extendedKeyUsage=serverAuth',
  'basicConstraints=critical,CA:FALSE',
  `keyUsage=critical,digitalSignature${key.startsWith('rsa') ? ',keyEncipherment' : ''}`,
];

/** Replaces (or, with `value` undefined, removes) the extension `name` of a certificate. */
function setExt(c: CertSpec, name: string, value: string | undefined): void {
  c.ext = c.ext.filter((l) => !l.startsWith(`${name}=`));
  if (value !== undefined) c.ext.push(`${name}=${value}`);
}

const crit = (r: Rand, v: string) => (chance(r, 0.5) ? `critical,${v}` : v);

/** The mutations of one certificate: each returns its phrase. */
const CERT_MUTATIONS: ((r: Rand, c: CertSpec) => string)[] = [
  (_r, c) => {
    c.version = 1;
    c.ext = [];
    return `${c.role} v1`;
  },
  (r, c) => {
    const v = pick(r, [undefined, 'CA:FALSE', 'critical,CA:FALSE', 'CA:TRUE', 'critical,CA:TRUE']);
    const withLen = v?.endsWith('CA:TRUE') && chance(r, 0.5) ? `${v},pathlen:${pick(r, [0, 1])}` : v;
    setExt(c, 'basicConstraints', withLen);
    return `${c.role} basicConstraints ${withLen ?? 'absent'}`;
  },
  (r, c) => {
    const bits = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];
    const chosen = bits.filter(() => chance(r, 0.4));
    const v = chosen.length === 0 ? undefined : crit(r, chosen.join(','));
    setExt(c, 'keyUsage', v);
    return `${c.role} keyUsage ${v ?? 'absent'}`;
  },
  (r, c) => {
    const v = pick(r, [
      undefined,
      'serverAuth',
      'clientAuth',
      'anyExtendedKeyUsage',
      'serverAuth,clientAuth',
      'clientAuth,anyExtendedKeyUsage',
      'serverAuth,anyExtendedKeyUsage',
      'codeSigning',
    ]);
    setExt(c, 'extendedKeyUsage', v);
    return `${c.role} extendedKeyUsage ${v ?? 'absent'}`;
  },
  (r, c) => {
    const v = pick(r, [undefined, 'server', 'client', 'server,client', 'sslCA', 'objsign']);
    setExt(c, 'nsCertType', v);
    return `${c.role} nsCertType ${v ?? 'absent'}`;
  },
  (r, c) => {
    const v = pick(r, [
      'permitted;DNS:localhost',
      'permitted;DNS:example.com',
      'excluded;DNS:localhost',
      'permitted;IP:127.0.0.0/255.0.0.0',
      'excluded;IP:127.0.0.0/255.0.0.0',
    ]);
    const full = crit(r, v);
    setExt(c, 'nameConstraints', full);
    return `${c.role} nameConstraints ${full}`;
  },
  (r, c) => {
    c.key = pick(r, KEY_TYPES);
    return `${c.role} key ${c.key}`;
  },
  (r, c) => {
    c.digest = pick(r, DIGESTS);
    return `${c.role} signed with ${c.digest}`;
  },
  (r, c) => {
    c.subject = pick(r, ['/', `/O=Generated ${c.role}`]);
    return `${c.role} subject ${c.subject === '/' ? 'empty' : c.subject}`;
  },
];

const SAN_VALUES = [
  'critical,DNS:localhost',
  undefined,
  'DNS:example.com',
  'IP:127.0.0.1',
  'DNS:localhost,IP:127.0.0.1',
] as const;

/** The case a seed names. */
export function caseFor(seed: number): CaseSpec {
  const r = rng(seed);
  const tag = `G${seed}`;
  const inters = pick(r, [0, 1, 1, 2]);
  const caKey = (): KeyType => pick(r, ['p256', 'rsa2048', 'p384', 'rsa3072']);
  const leafKey: KeyType = pick(r, ['p256', 'rsa2048']);
  const certs: CertSpec[] = [
    {
      role: 'root',
      issuer: 'root',
      keyOf: 'root',
      version: 3,
      subject: `/CN=${tag} Root`,
      key: caKey(),
      digest: 'sha256',
      ext: [...CA_EXT],
    },
  ];
  for (let i = 1; i <= inters; i++)
    certs.push({
      role: `inter${i}`,
      issuer: i === 1 ? 'root' : `inter${i - 1}`,
      keyOf: `inter${i}`,
      version: 3,
      subject: `/CN=${tag} Intermediate ${i}`,
      key: caKey(),
      digest: 'sha256',
      ext: [...CA_EXT],
    });
  const issuerOfLeaf = inters === 0 ? 'root' : `inter${inters}`;
  certs.push({
    role: 'leaf',
    issuer: issuerOfLeaf,
    keyOf: 'leaf',
    version: 3,
    subject: '/CN=localhost',
    key: leafKey,
    digest: 'sha256',
    ext: leafExt(leafKey),
  });
  const spec: CaseSpec = {
    seed,
    certs,
    bundle: [
      'leaf',
      ...certs
        .filter((c) => c.role.startsWith('inter'))
        .map((c) => c.role)
        .reverse(),
    ],
    anchor: 'root',
    mutations: [],
  };
  const count = pick(r, [0, 1, 1, 2, 2, 3, 4]);
  for (let m = 0; m < count; m++) spec.mutations.push(mutate(r, spec, tag));
  return spec;
}

function mutate(r: Rand, spec: CaseSpec, tag: string): string {
  const kind = r();
  const byRole = (role: string) => spec.certs.find((c) => c.role === role)!;
  if (kind < 0.62) {
    // One certificate's feature; the leaf is drawn as often as all issuers together.
    const issuers = spec.certs.filter((c) => c.role === 'root' || c.role.startsWith('inter'));
    const c = chance(r, 0.5) ? byRole('leaf') : pick(r, issuers);
    return pick(r, CERT_MUTATIONS)(r, c);
  }
  if (kind < 0.7) {
    const leaf = byRole('leaf');
    const v = pick(r, SAN_VALUES);
    if (leaf.version === 1) leaf.version = 3;
    setExt(leaf, 'subjectAltName', v);
    return `leaf subjectAltName ${v ?? 'absent'}`;
  }
  if (kind < 0.78) return reorder(r, spec);
  if (kind < 0.86) return extra(r, spec);
  if (kind < 0.93) return stranger(r, spec, tag);
  return anchor(r, spec, tag);
}

function reorder(r: Rand, spec: CaseSpec): string {
  if (chance(r, 0.5)) {
    spec.bundle = [...spec.bundle.filter((b) => b !== 'leaf'), 'leaf'];
    return 'bundle: leaf last';
  }
  const b = [...spec.bundle];
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  spec.bundle = b;
  return `bundle shuffled: ${b.join(' ')}`;
}

function extra(r: Rand, spec: CaseSpec): string {
  const inters = spec.bundle.filter((b) => b.startsWith('inter'));
  const what = pick(r, ['dup-leaf', 'dup-inter', 'root', 'drop-inter']);
  if (what === 'dup-leaf' || inters.length === 0) {
    spec.bundle.push('leaf');
    return 'bundle: leaf twice';
  }
  if (what === 'dup-inter') {
    const i = pick(r, inters);
    spec.bundle.push(i);
    return `bundle: ${i} twice`;
  }
  if (what === 'root') {
    if (!spec.bundle.includes('root')) spec.bundle.push('root');
    return 'bundle: root included';
  }
  const i = pick(r, inters);
  spec.bundle = spec.bundle.filter((b) => b !== i);
  return `bundle: ${i} left out`;
}

function stranger(r: Rand, spec: CaseSpec, tag: string): string {
  const what = pick(r, ['ca', 'leaf', 'impostor']);
  const has = (role: string) => spec.certs.some((c) => c.role === role);
  if (what === 'ca' || what === 'leaf') {
    if (!has('stranger'))
      spec.certs.unshift({
        role: 'stranger',
        issuer: 'stranger',
        keyOf: 'stranger',
        version: 3,
        subject: `/CN=${tag} Unrelated CA`,
        key: 'p256',
        digest: 'sha256',
        ext: [...CA_EXT],
      });
    if (what === 'ca') {
      spec.bundle.splice(1 + Math.floor(r() * spec.bundle.length), 0, 'stranger');
      return 'bundle: an unrelated CA';
    }
    if (!has('strangerleaf'))
      spec.certs.splice(1, 0, {
        role: 'strangerleaf',
        issuer: 'stranger',
        keyOf: 'strangerleaf',
        version: 3,
        subject: '/CN=localhost',
        key: 'p256',
        digest: 'sha256',
        ext: leafExt('p256'),
      });
    spec.bundle.splice(1 + Math.floor(r() * spec.bundle.length), 0, 'strangerleaf');
    return 'bundle: an unrelated leaf for localhost';
  }
  const inter = spec.certs.find((c) => c.role.startsWith('inter') && c.issuer === 'root');
  if (!inter) return stranger(r, spec, tag);
  if (!has('impostor'))
    spec.certs.splice(1, 0, {
      role: 'impostor',
      issuer: 'root',
      keyOf: 'impostor',
      version: 3,
      subject: inter.subject,
      key: 'p256',
      digest: 'sha256',
      ext: [...CA_EXT],
    });
  spec.bundle.splice(1 + Math.floor(r() * spec.bundle.length), 0, 'impostor');
  return `bundle: an impostor named as ${inter.role}, another key`;
}

function anchor(r: Rand, spec: CaseSpec, tag: string): string {
  const top = spec.certs.find((c) => c.role.startsWith('inter') && c.issuer === 'root');
  const what = pick(r, ['inter', 'cross-old', 'cross-new', 'cross-missing']);
  if (what === 'inter' && top) {
    spec.anchor = top.role;
    return `anchor: ${top.role} (not self-signed)`;
  }
  if (spec.certs.some((c) => c.role === 'oldroot')) return 'anchor: unchanged';
  const root = spec.certs.find((c) => c.role === 'root')!;
  spec.certs.unshift({
    role: 'oldroot',
    issuer: 'oldroot',
    keyOf: 'oldroot',
    version: 3,
    subject: `/CN=${tag} Old Root`,
    key: pick(r, ['p256', 'rsa2048']),
    digest: 'sha256',
    ext: [...CA_EXT],
  });
  // The new root's subject and key, signed by the old root: a root rollover.
  spec.certs.splice(spec.certs.indexOf(root) + 1, 0, {
    ...root,
    role: 'cross',
    issuer: 'oldroot',
    keyOf: 'root',
    ext: [...root.ext],
  });
  if (what === 'cross-new') {
    spec.bundle.push('cross');
    return 'anchor: the new self-signed root, its cross-signed form in the bundle';
  }
  spec.anchor = 'oldroot';
  if (what === 'cross-missing') return 'anchor: the old root, the cross-signed new root left out';
  spec.bundle.push('cross');
  return 'anchor: the old root, the new root cross-signed by it in the bundle';
}

/** One line for a case: its chain from the anchor down, then what changed. */
export function describeCase(spec: CaseSpec): string {
  const chain = spec.certs
    .filter((c) => !['stranger', 'strangerleaf', 'impostor', 'oldroot', 'cross'].includes(c.role))
    .map((c) => `${c.role}(v${c.version} ${c.key} ${c.digest})`)
    .join(' > ');
  const changes = spec.mutations.join('; ') || 'no mutation';
  return `${chain}; tls.crt: ${spec.bundle.join(',')}; ca.crt: ${spec.anchor}; ${changes}`;
}
