// sidecar/load/pem.ts on real PEM and DER files: the block splitter's edges (header lines, blank lines, base64
// per line, the block limit), each key encoding, both kinds of key encryption with no, a wrong and the right
// password, PKCS#7 bundles in PEM and DER, and each refusal with the words the user reads. Written to kill its
// mutants (docs/testing.md, "Mutation score"). Files come from test/fixtures and from openssl; hand-built
// variants (a relabelled block, a PKCS#7 set with a non-certificate in it) are made with node-forge's ASN.1 writer.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { decryptPkcs8, looksLikePem, parsePemBlocks, parsePemOrDer } from '../../../sidecar/load/pem.js';
import { PASS, failure, readFixture } from '../../support/helpers.js';

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
const fp = (der: Buffer) => new crypto.X509Certificate(der).fingerprint256;
const derOf = (name: string) => Buffer.from(new crypto.X509Certificate(readFixture(name)).raw);
const pem = (label: string, der: Buffer, headers = '') =>
  `-----BEGIN ${label}-----\n${headers}${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
const parse = (text: string | Buffer, password?: string) =>
  parsePemOrDer(Buffer.isBuffer(text) ? text : Buffer.from(text), password);
/** The finding of a refusal, as one line: `<CODE> <message>`. */
const refusal = (fn: () => unknown) => failure(fn).message;

const CORRUPT_HINT = 'export the file again from its source; it is damaged or not the format its name says';

describe('looksLikePem', () => {
  it('is true only with a BEGIN line', () => {
    expect(looksLikePem(Buffer.from('Bag Attributes\n-----BEGIN CERTIFICATE-----\n'))).toBe(true);
    expect(looksLikePem(Buffer.from('-----BEGIN-----'))).toBe(false);
    expect(looksLikePem(derOf('rsa2048.crt'))).toBe(false);
  });
});

describe('parsePemBlocks splits PEM text as OpenSSL does', () => {
  const b64 = 'TUlJQg=='; // "MIIB"

  it('reads the label, headers, body and text of each block, and ignores text outside blocks', () => {
    const text =
      'Bag Attributes\r\n    localKeyID: 01\r\n  -----BEGIN RSA PRIVATE KEY-----  \r\nProc-Type: 4,ENCRYPTED\r\n' +
      'DEK-Info:AES-256-CBC,00\r\n\r\n  TUlJ\r\n\r\nQg==  \r\n-----END RSA PRIVATE KEY-----\r\ntrailer\r\n' +
      '-----BEGIN PKCS #7 SIGNED DATA-----\nTUlJQg==\n-----END PKCS #7 SIGNED DATA-----';
    const blocks = parsePemBlocks(text);
    expect(blocks.map((b) => b.label)).toEqual(['RSA PRIVATE KEY', 'PKCS #7 SIGNED DATA']);
    expect(blocks[0]!.headers).toEqual({ 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-256-CBC,00' });
    expect(blocks[0]!.der.toString('latin1')).toBe('MIIB');
    // The block's own lines, untrimmed, joined with \n: what node:crypto decrypts a traditional key from.
    expect(blocks[0]!.text).toBe(
      '  -----BEGIN RSA PRIVATE KEY-----  \nProc-Type: 4,ENCRYPTED\nDEK-Info:AES-256-CBC,00\n\n  TUlJ\n\nQg==  \n' +
        '-----END RSA PRIVATE KEY-----',
    );
    expect(blocks[1]!.headers).toEqual({});
    expect(blocks[1]!.text).toBe('-----BEGIN PKCS #7 SIGNED DATA-----\nTUlJQg==\n-----END PKCS #7 SIGNED DATA-----');
  });

  it('reads no block from a BEGIN line with text after its dashes, or a lower-case label', () => {
    expect(parsePemBlocks(`-----BEGIN CERTIFICATE----- x\n${b64}\n-----END CERTIFICATE-----`)).toEqual([]);
    expect(parsePemBlocks(`-----BEGIN CERTIFICATE-----x\n${b64}\n-----END CERTIFICATE-----`)).toEqual([]);
    expect(parsePemBlocks(`x-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`)).toEqual([]);
    expect(parsePemBlocks(`-----BEGIN Certificate-----\n${b64}\n-----END Certificate-----`)).toEqual([]);
  });

  it('takes a line that looks like a header after the body has begun as body, which is not base64', () => {
    const text = `-----BEGIN CERTIFICATE-----\nTUlJ\nNote: x\n-----END CERTIFICATE-----`;
    expect(refusal(() => parsePemBlocks(text))).toBe('FILE_CORRUPT the PEM block CERTIFICATE is not valid base64');
  });

  it('refuses a block whose END line names another label, quoting at most 40 characters of it', () => {
    const wrong = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END PRIVATE KEY-----\n`;
    expect(refusal(() => parsePemBlocks(wrong))).toBe(
      'FILE_CORRUPT the PEM block BEGIN CERTIFICATE ends with "-----END PRIVATE KEY-----" instead of END CERTIFICATE',
    );
    const long = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END OF THE CERTIFICATE THAT GOES ON AND ON-----\n`;
    expect(refusal(() => parsePemBlocks(long))).toBe(
      'FILE_CORRUPT the PEM block BEGIN CERTIFICATE ends with "-----END OF THE CERTIFICATE THAT GOES ON" ' +
        'instead of END CERTIFICATE',
    );
    expect(failure(() => parsePemBlocks(wrong)).finding.hint).toBe(CORRUPT_HINT);
  });

  it('refuses a line that starts like an END line but is not one, naming it', () => {
    expect(refusal(() => parsePemBlocks(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE\n`))).toBe(
      'FILE_CORRUPT the PEM block BEGIN CERTIFICATE ends with "-----END CERTIFICATE" instead of END CERTIFICATE',
    );
  });

  it('takes a header only from the start of a line', () => {
    const text = `-----BEGIN CERTIFICATE-----\n#Note: x\n${b64}\n-----END CERTIFICATE-----`;
    expect(refusal(() => parsePemBlocks(text))).toBe('FILE_CORRUPT the PEM block CERTIFICATE is not valid base64');
  });

  it('refuses a block cut short, an empty block and one whose body is only blank lines', () => {
    expect(refusal(() => parsePemBlocks(`-----BEGIN CERTIFICATE-----\n${b64}\n`))).toBe(
      'FILE_CORRUPT the PEM block BEGIN CERTIFICATE has no END line (the file is cut short)',
    );
    expect(refusal(() => parsePemBlocks('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----'))).toBe(
      'FILE_CORRUPT the PEM block CERTIFICATE is empty',
    );
    expect(refusal(() => parsePemBlocks('-----BEGIN CERTIFICATE-----\n\n  \n-----END CERTIFICATE-----'))).toBe(
      'FILE_CORRUPT the PEM block CERTIFICATE is empty',
    );
    expect(refusal(() => parsePemBlocks('-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n-----END X-----'))).toBe(
      'FILE_CORRUPT the PEM block X is empty',
    );
  });

  it.each([
    ['a character outside base64 at the start of a line', '*AAA'],
    ['a character outside base64 at the end of a line', 'AAA*'],
    ['three padding characters', 'AA==\nA==='],
    ['padding inside a line', 'AA=A'],
    ['a body whose length is not a multiple of 4', 'TUlJQ'],
  ])('refuses %s as not base64', (_what, body) => {
    expect(refusal(() => parsePemBlocks(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`))).toBe(
      'FILE_CORRUPT the PEM block CERTIFICATE is not valid base64',
    );
  });

  it('takes base64 split over lines, with padding on the last line', () => {
    const [block] = parsePemBlocks('-----BEGIN X-----\nTU\nlJ\nQg=\n=\n-----END X-----');
    expect(block!.der.toString('latin1')).toBe('MIIB');
  });

  it('reads 200 blocks and refuses the 201st (limits.ts MAX_PEM_BLOCKS)', () => {
    const block = `-----BEGIN CERTIFICATE REQUEST-----\n${b64}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(parsePemBlocks(block.repeat(200))).toHaveLength(200);
    expect(refusal(() => parsePemBlocks(block.repeat(201)))).toBe(
      'FILE_CORRUPT the file holds more than 200 PEM blocks',
    );
  });
});

describe('parsePemOrDer reads certificates', () => {
  it('keeps the certificates of a PEM file in order, and lists the blocks that are neither', () => {
    const text = `${pem('CERTIFICATE REQUEST', Buffer.from('MIIB'))}${readFixture('chain.crt')}`;
    const out = parse(`${text}${pem('PUBLIC KEY', Buffer.from('MIIB'))}`);
    expect(out.certs.map(fp)).toEqual([fp(derOf('inter.crt')), fp(derOf('root.crt'))]);
    expect(out.other).toEqual(['CERTIFICATE REQUEST', 'PUBLIC KEY']);
    expect(out.keys).toEqual([]);
    expect(out.encryptedKey).toBe(false);
    expect(out.traditionalEncryption).toBe(false);
  });

  it('refuses a CERTIFICATE block that holds no X.509 certificate', () => {
    const err = failure(() => parse(pem('CERTIFICATE', Buffer.from('300302 0101', 'hex'))));
    expect(err.message).toBe('FILE_CORRUPT a CERTIFICATE block does not hold a valid X.509 certificate');
    expect(err.finding.hint).toBe(CORRUPT_HINT);
  });

  it('reads a DER certificate, a DER PKCS#8 key and a DER PKCS#7 bundle', () => {
    expect(parse(derOf('rsa2048.crt')).certs.map(fp)).toEqual([fp(derOf('rsa2048.crt'))]);
    const keyDer = crypto.createPrivateKey(readFixture('p256.key')).export({ format: 'der', type: 'pkcs8' });
    const der = parse(keyDer);
    expect(der.certs).toEqual([]);
    expect(der.keys.map((k) => k.asymmetricKeyType)).toEqual(['ec']);
    const p7b = parse(readFixture('layout-p7b/chain.p7b'));
    expect(p7b.certs.map(fp)).toEqual([fp(derOf('inter.crt')), fp(derOf('root.crt'))]);
    expect(p7b.keys).toEqual([]);
  });

  it('refuses bytes that are neither PEM nor DER, DER that does not parse, and DER that is neither', () => {
    expect(refusal(() => parse('hello'))).toBe('FILE_CORRUPT the file is neither PEM text nor DER');
    expect(refusal(() => parse(Buffer.from('3005020101', 'hex')))).toMatch(
      /^FILE_CORRUPT the DER file is not valid ASN\.1 \(.+\)$/,
    );
    expect(refusal(() => parse(Buffer.from('3003020101', 'hex')))).toMatch(
      /^FILE_CORRUPT the DER file cannot be read as a private key \(.+\)$/,
    );
  });

  it.each(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS'])('reads a PKCS#7 bundle labelled %s', (label) => {
    const der = readFixture('layout-p7b/chain.p7b');
    expect(parse(pem(label, der)).certs.map(fp)).toEqual([fp(derOf('inter.crt')), fp(derOf('root.crt'))]);
    expect(parse(pem(label, der)).other).toEqual([]);
  });

  /** chain.p7b with `extra` appended to its certificate set (a SEQUENCE is read as a certificate). */
  function bundleWith(extra: forge.asn1.Asn1[]): Buffer {
    const root = forge.asn1.fromDer(readFixture('layout-p7b/chain.p7b').toString('latin1'));
    const signedData = ((root.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!;
    const set = (signedData.value as forge.asn1.Asn1[]).find((f) => f.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC);
    (set!.value as forge.asn1.Asn1[]).push(...extra);
    return Buffer.from(forge.asn1.toDer(root).getBytes(), 'latin1');
  }
  const certNode = (name: string) => forge.asn1.fromDer(derOf(name).toString('latin1'));

  it('names the certificate of a PKCS#7 bundle that is not X.509 by its place', () => {
    const notACert = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, []);
    expect(refusal(() => parse(bundleWith([notACert])))).toBe(
      'FILE_CORRUPT certificate 3 of the PKCS#7 bundle does not hold a valid X.509 certificate',
    );
  });

  it('reads a bundle of 200 certificates and refuses one of 201', () => {
    const certs = (n: number) => Array.from({ length: n }, () => certNode('rsa2048.crt'));
    expect(parse(bundleWith(certs(198))).certs).toHaveLength(200);
    expect(refusal(() => parse(bundleWith(certs(199))))).toBe(
      'FILE_CORRUPT the PKCS#7 bundle holds more than 200 certificates',
    );
  });
});

describe('parsePemOrDer reads keys of every encoding', () => {
  const rsa = crypto.createPrivateKey(readFixture('rsa2048.key'));
  const ec = crypto.createPrivateKey(readFixture('p256.key'));
  const same = (a: crypto.KeyObject, b: crypto.KeyObject) =>
    a.export({ format: 'der', type: 'pkcs8' }).equals(b.export({ format: 'der', type: 'pkcs8' }));

  it.each([
    ['PRIVATE KEY', rsa, rsa.export({ format: 'der', type: 'pkcs8' })],
    ['RSA PRIVATE KEY', rsa, rsa.export({ format: 'der', type: 'pkcs1' })],
    ['EC PRIVATE KEY', ec, ec.export({ format: 'der', type: 'sec1' })],
  ] as const)('reads a %s block as that encoding', (label, key, der) => {
    const out = parse(pem(label, der));
    expect(out.keys).toHaveLength(1);
    expect(same(out.keys[0]!, key)).toBe(true);
    expect(out.encryptedKey).toBe(false);
    expect(out.traditionalEncryption).toBe(false);
  });

  it('reads a PKCS#8 key under a PKCS#1 or SEC1 label: OpenSSL 3.5 decodes those by content', () => {
    // Node 24's OpenSSL tries every decoder for type 'pkcs1' and 'sec1', so which of the two a label maps to
    // cannot be seen; 'pkcs8' is strict, and refuses a PKCS#1 key under the PRIVATE KEY label (below).
    expect(parse(pem('EC PRIVATE KEY', rsa.export({ format: 'der', type: 'pkcs8' }))).keys).toHaveLength(1);
    expect(parse(pem('RSA PRIVATE KEY', ec.export({ format: 'der', type: 'sec1' }))).keys).toHaveLength(1);
  });

  it.each([
    ['RSA PRIVATE KEY', 'rsa private key', Buffer.from('3003020101', 'hex')],
    ['EC PRIVATE KEY', 'ec private key', Buffer.from('3003020101', 'hex')],
    ['PRIVATE KEY', 'private key', rsa.export({ format: 'der', type: 'pkcs1' })],
  ] as const)('refuses a %s block that holds no key of its encoding, naming the label', (label, named, der) => {
    const err = failure(() => parse(pem(label, der)));
    expect(err.message).toMatch(new RegExp(`^FILE_CORRUPT the ${named} cannot be read as a private key \\(.+\\)$`));
    expect(err.finding.hint).toBe(CORRUPT_HINT);
  });

  it('skips the EC PARAMETERS block `openssl ecparam -genkey` writes before the key', () => {
    const text = openssl('ecparam', '-name', 'prime256v1', '-genkey').toString();
    expect(text).toContain('-----BEGIN EC PARAMETERS-----');
    const out = parse(text);
    expect(out.keys.map((k) => k.asymmetricKeyDetails?.namedCurve)).toEqual(['prime256v1']);
    expect(out.other).toEqual([]);
  });

  it('refuses an OpenSSH key', () => {
    const err = failure(() => parse(readFixture('../hostile/pem-openssh-key/server.key')));
    expect(err.message).toBe('UNSUPPORTED_ALGORITHM the key is in OpenSSH format, which TLS servers cannot use');
    expect(err.finding.hint).toBe(
      'export the file again with AES-256 ' +
        '(OpenSSL 3: `openssl pkcs12 -export` with its defaults; Windows: choose AES256-SHA256)',
    );
  });
});

describe('encrypted keys: PKCS#8 (our PBE code) and OpenSSL traditional (node:crypto)', () => {
  const pkcs8 = () => readFixture('pem-encrypted/key.pem');
  const traditional = () => readFixture('key-traditional/key.pem');
  const rsaDer = () => crypto.createPrivateKey(readFixture('rsa2048.key')).export({ format: 'der', type: 'pkcs8' });
  const REQUIRED = {
    code: 'PASSWORD_REQUIRED',
    severity: 'error',
    message: 'the private key is encrypted and no password was given',
    hint: 'set KCS_PASSWORD_FILE to a file holding the key password (or KCS_PASSWORD), or export the key unencrypted',
  };
  const WRONG = {
    code: 'PASSWORD_WRONG',
    severity: 'error',
    message: 'the password does not decrypt the private key',
    hint: 'set KCS_PASSWORD_FILE to the file holding the password the key was encrypted with',
  };

  it('opens each with the right password, and says it was encrypted and how', () => {
    const a = parse(pkcs8(), PASS);
    expect(a.keys[0]!.export({ format: 'der', type: 'pkcs8' }).equals(rsaDer())).toBe(true);
    expect([a.encryptedKey, a.traditionalEncryption]).toEqual([true, false]);
    const b = parse(traditional(), PASS);
    expect(b.keys[0]!.export({ format: 'der', type: 'pkcs8' }).equals(rsaDer())).toBe(true);
    expect([b.encryptedKey, b.traditionalEncryption]).toEqual([true, true]);
  });

  it('keeps the flags once set, whatever blocks come after', () => {
    const plain = readFixture('rsa2048.key');
    const out = parse(Buffer.concat([traditional(), plain]), PASS);
    expect(out.keys).toHaveLength(2);
    expect([out.encryptedKey, out.traditionalEncryption]).toEqual([true, true]);
  });

  it.each([
    ['PKCS#8', pkcs8],
    ['traditional', traditional],
  ])('%s: PASSWORD_REQUIRED without a password, PASSWORD_WRONG with a wrong one', (_what, bytes) => {
    expect(failure(() => parse(bytes())).finding).toEqual(REQUIRED);
    expect(failure(() => parse(bytes(), 'wrong')).finding).toEqual(WRONG);
  });

  it('PKCS#8: a wrong password whose decryption has valid padding is still PASSWORD_WRONG', () => {
    // 'wrong-31' is, among 'wrong-0' to 'wrong-5000', the first whose AES-256-CBC decryption of this key ends
    // in valid padding (1 in 256 do): the plaintext is garbage, refused by the DER parser, not by the cipher.
    const der = parsePemBlocks(pkcs8().toString('utf8'))[0]!.der;
    expect(failure(() => parse(pkcs8(), 'wrong-31')).finding).toEqual(WRONG);
    expect(failure(() => decryptPkcs8(der, 'wrong-31')).finding).toEqual(WRONG);
  });

  it('PKCS#8: the iteration limit is checked before the password is asked for', () => {
    // pem-encrypted/key.pem with its PBKDF2 count made 2,000,001 (one over limits.ts MAX_ITERATIONS_PER_KDF).
    const der = parsePemBlocks(pkcs8().toString('utf8'))[0]!.der;
    const node = forge.asn1.fromDer(der.toString('latin1'));
    type Node = forge.asn1.Asn1;
    const at = (n: Node, ...path: number[]) => path.reduce((x, i) => (x.value as Node[])[i]!, n);
    // EncryptedPrivateKeyInfo { AlgorithmIdentifier { PBES2, { { PBKDF2, { salt, iterations, prf } }, ... } } }
    const kdfParams = at(node, 0, 1, 0, 1).value as Node[];
    kdfParams[1] = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, '\x1e\x84\x81');
    const heavy = Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1');
    const msg = 'ITERATIONS_TOO_HIGH the private key asks for 2,000,001 iterations, more than the limit of 2,000,000';
    expect(refusal(() => decryptPkcs8(heavy, undefined))).toBe(msg);
    expect(refusal(() => parse(pem('ENCRYPTED PRIVATE KEY', heavy), PASS))).toBe(msg);
  });

  it('PKCS#8: a key that decrypts to DER that is no private key is corrupt, not a wrong password', () => {
    // The EncryptedPrivateKeyInfo of pem-encrypted/key.pem, its data replaced by SEQUENCE { INTEGER 1 }
    // encrypted with the same PBES2 parameters and the right password.
    const der = parsePemBlocks(pkcs8().toString('utf8'))[0]!.der;
    const node = forge.asn1.fromDer(der.toString('latin1'));
    const key = crypto.pbkdf2Sync(PASS, Buffer.from('F4810078C72282A5', 'hex'), 2048, 32, 'sha256');
    const iv = Buffer.from('4D4FF68B4E57008ABD4CA33E0FA0B8C5', 'hex');
    expect(der.includes(Buffer.from('F4810078C72282A5', 'hex')) && der.includes(iv)).toBe(true);
    const c = crypto.createCipheriv('aes-256-cbc', key, iv);
    const data = Buffer.concat([c.update(Buffer.from('3003020101', 'hex')), c.final()]);
    (node.value as forge.asn1.Asn1[])[1] = forge.asn1.create(
      forge.asn1.Class.UNIVERSAL,
      forge.asn1.Type.OCTETSTRING,
      false,
      data.toString('latin1'),
    );
    const bad = Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1');
    expect(refusal(() => decryptPkcs8(bad, PASS))).toMatch(
      /^FILE_CORRUPT the decrypted key cannot be read as a private key \(.+\)$/,
    );
  });

  it('PKCS#8: names the encrypted key in each refusal of its structure', () => {
    const { asn1 } = forge;
    const node = (...items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
    const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
    const octets = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, 'x');
    const int = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x01');
    const block = (n: forge.asn1.Asn1) => pem('ENCRYPTED PRIVATE KEY', Buffer.from(asn1.toDer(n).getBytes(), 'latin1'));
    expect(refusal(() => parse(pem('ENCRYPTED PRIVATE KEY', Buffer.from('3005020101', 'hex')), PASS))).toMatch(
      /^FILE_CORRUPT the encrypted private key is not valid ASN\.1 \(.+\)$/,
    );
    expect(refusal(() => parse(block(node(node(oid('1.2.3.4')))), PASS))).toBe(
      'FILE_CORRUPT the encrypted private key has 1 fields, expected at least 2',
    );
    expect(refusal(() => parse(block(node(int, octets)), PASS))).toBe(
      'FILE_CORRUPT the key encryption is not a SEQUENCE',
    );
    expect(refusal(() => parse(block(node(node(oid('1.2.3.4')), octets)), undefined))).toBe(
      'UNSUPPORTED_ALGORITHM the private key uses the encryption unknown algorithm 1.2.3.4',
    );
  });

  it('PKCS#8: a cipher it does not know is UNSUPPORTED_ALGORITHM, not a wrong password', () => {
    // pem-encrypted/key.pem with its PBES2 encryption scheme's OID (AES-256-CBC) made 1.2.3.4.
    const node = forge.asn1.fromDer(parsePemBlocks(pkcs8().toString('utf8'))[0]!.der.toString('latin1'));
    type Node = forge.asn1.Asn1;
    const scheme = ((((node.value as Node[])[0]!.value as Node[])[1]!.value as Node[])[1]!.value as Node[])!;
    scheme[0] = forge.asn1.create(
      forge.asn1.Class.UNIVERSAL,
      forge.asn1.Type.OID,
      false,
      forge.asn1.oidToDer('1.2.3.4').getBytes(),
    );
    const text = pem('ENCRYPTED PRIVATE KEY', Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1'));
    expect(refusal(() => parse(text, PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the private key uses the cipher 1.2.3.4; supported are AES-CBC and 3DES-CBC',
    );
  });

  it('traditional: an encryption node:crypto does not know is corrupt, not a wrong password', () => {
    const text = traditional().toString('utf8').replace('DEK-Info: AES-256-CBC', 'DEK-Info: FOO-256-CBC');
    const err = failure(() => parse(text, PASS));
    expect(err.message).toBe('FILE_CORRUPT the encrypted private key cannot be read');
    expect(err.finding.hint).toBe(CORRUPT_HINT);
  });

  it('reads a key whose Proc-Type says it is not encrypted as a plain key, with no password', () => {
    const der = crypto.createPrivateKey(readFixture('rsa2048.key')).export({ format: 'der', type: 'pkcs1' });
    const out = parse(pem('RSA PRIVATE KEY', der, 'Proc-Type: 4,MIC-CLEAR\n\n'));
    expect(out.keys).toHaveLength(1);
    expect(out.traditionalEncryption).toBe(false);
  });
});
