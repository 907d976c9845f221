// Reads PEM text and DER certificates: bytes and a password in, certificates and keys out. No I/O.
// Keys of every common encoding (PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8, OpenSSL's legacy
// Proc-Type encryption) become node:crypto KeyObjects; certificates stay DER, and so do those of a
// PKCS#7 bundle (`.p7b`, PEM `BEGIN PKCS7` or DER).
import crypto from 'node:crypto';
import { algorithm, corrupt, octets, parseDer, seq } from '../pkix/asn1.js';
import { KcsError, raise } from '../findings.js';
import { MAX_PEM_BLOCKS } from '../limits.js';
import { messages } from '../messages/index.js';
import { isPkcs7, pkcs7Certificates } from '../pkix/pkcs7.js';
import { BadDecrypt, IterationBudget, iterationsOf, pbeDecrypt, unsupported } from '../pkix/pbe.js';

export interface PemBlock {
  label: string;
  headers: Record<string, string>;
  der: Buffer;
  /** The block as text, for OpenSSL-encrypted keys that node:crypto decrypts itself. */
  text: string;
}

export interface PemContents {
  certs: Buffer[];
  keys: crypto.KeyObject[];
  /** Labels of blocks that are neither, such as CERTIFICATE REQUEST. */
  other: string[];
  /** True when a key was encrypted (so its password was used). */
  encryptedKey: boolean;
  /** True when a key used OpenSSL's traditional encryption (`Proc-Type: 4,ENCRYPTED`), which .NET cannot read. */
  traditionalEncryption: boolean;
}

/** PEM labels of a PKCS#7 certificate bundle: OpenSSL's `crl2pkcs7` writes PKCS7; RFC 7468 section 8. */
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);

function certificate(der: Buffer, what: string): Buffer {
  try {
    return Buffer.from(new crypto.X509Certificate(der).raw);
  } catch (err) {
    throw corrupt(`${what} does not hold a valid X.509 certificate`, err);
  }
}

function bundleCertificates(der: Buffer): Buffer[] {
  const { certs } = pkcs7Certificates(der);
  if (certs.length > MAX_PEM_BLOCKS) throw corrupt(`the PKCS#7 bundle holds more than ${MAX_PEM_BLOCKS} certificates`);
  return certs.map((c, i) => certificate(c, `certificate ${i + 1} of the PKCS#7 bundle`));
}

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

export function looksLikePem(bytes: Buffer): boolean {
  return bytes.includes('-----BEGIN ');
}

/** Splits PEM text into blocks. Text outside blocks (comments, `Bag Attributes`) is ignored, as OpenSSL does. */
export function parsePemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = /^-----BEGIN ([A-Z0-9 #]+)-----\s*$/.exec(lines[i]!.trim());
    if (!begin) continue;
    const label = begin[1]!;
    const start = i;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    let ended = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === `-----END ${label}-----`) {
        ended = true;
        break;
      }
      if (line.startsWith('-----'))
        throw corrupt(`the PEM block BEGIN ${label} ends with "${line.slice(0, 40)}" instead of END ${label}`);
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && body.length === 0) headers[header[1]!] = header[2]!;
      else if (line !== '') body.push(line);
    }
    if (!ended) throw corrupt(`the PEM block BEGIN ${label} has no END line (the file is cut short)`);
    if (body.length === 0) throw corrupt(`the PEM block ${label} is empty`);
    const b64 = body.join('');
    if (!body.every((l) => BASE64_LINE.test(l)) || b64.length % 4 !== 0)
      throw corrupt(`the PEM block ${label} is not valid base64`);
    blocks.push({ label, headers, der: Buffer.from(b64, 'base64'), text: lines.slice(start, i + 1).join('\n') });
    if (blocks.length > MAX_PEM_BLOCKS) throw corrupt(`the file holds more than ${MAX_PEM_BLOCKS} PEM blocks`);
  }
  return blocks;
}

function keyPasswordRequired(): KcsError {
  return raise(messages.PASSWORD_REQUIRED.key());
}
function keyPasswordWrong(): KcsError {
  return raise(messages.PASSWORD_WRONG.key());
}

function privateKey(key: crypto.PrivateKeyInput, label: string): crypto.KeyObject {
  try {
    return crypto.createPrivateKey(key);
  } catch (err) {
    throw corrupt(`the ${label} cannot be read as a private key (${(err as Error).message})`, err);
  }
}

/** Decrypts an EncryptedPrivateKeyInfo (PKCS#8) with our PBE code, so the iteration caps apply. */
export function decryptPkcs8(der: Buffer, password: string | undefined): crypto.KeyObject {
  const budget = new IterationBudget();
  const [algNode, dataNode] = seq(parseDer(der, 'the encrypted private key'), 'the encrypted private key', 2);
  const alg = algorithm(algNode, 'the key encryption');
  budget.charge(iterationsOf(alg, 'the private key'), 'the private key');
  if (password === undefined) throw keyPasswordRequired();
  let plain: Buffer;
  try {
    plain = pbeDecrypt(alg, octets(dataNode, 'the encrypted key'), password, budget, 'the private key');
    parseDer(plain, 'the private key');
  } catch (err) {
    if (err instanceof BadDecrypt || (err instanceof KcsError && err.code === 'FILE_CORRUPT')) throw keyPasswordWrong();
    throw err;
  }
  return privateKey({ key: plain, format: 'der', type: 'pkcs8' }, 'decrypted key');
}

function readKey(block: PemBlock, password: string | undefined): crypto.KeyObject {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return decryptPkcs8(block.der, password);
  if (/ENCRYPTED/.test(block.headers['Proc-Type'] ?? '')) {
    // OpenSSL's traditional encryption: one MD5 round of EVP_BytesToKey, so no iteration cap is needed.
    if (password === undefined) throw keyPasswordRequired();
    try {
      return crypto.createPrivateKey({ key: block.text, format: 'pem', passphrase: password });
    } catch (err) {
      throw /bad decrypt|wrong|decrypt/i.test(String((err as Error).message))
        ? keyPasswordWrong()
        : corrupt('the encrypted private key cannot be read', err);
    }
  }
  const type = block.label === 'RSA PRIVATE KEY' ? 'pkcs1' : block.label === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs8';
  return privateKey({ key: block.der, format: 'der', type }, block.label.toLowerCase());
}

/** Reads a PEM or DER file's certificates and keys. */
export function parsePemOrDer(bytes: Buffer, password: string | undefined): PemContents {
  const out: PemContents = { certs: [], keys: [], other: [], encryptedKey: false, traditionalEncryption: false };
  if (!looksLikePem(bytes)) {
    // DER: a certificate (.cer/.der), a PKCS#7 bundle (.p7b/.p7c) or, rarely, a PKCS#8 key.
    if (bytes[0] !== 0x30) throw corrupt('the file is neither PEM text nor DER');
    parseDer(bytes, 'the DER file');
    if (isPkcs7(bytes)) {
      out.certs.push(...bundleCertificates(bytes));
      return out;
    }
    try {
      out.certs.push(Buffer.from(new crypto.X509Certificate(bytes).raw));
    } catch {
      out.keys.push(privateKey({ key: bytes, format: 'der', type: 'pkcs8' }, 'DER file'));
    }
    return out;
  }
  for (const block of parsePemBlocks(bytes.toString('utf8'))) {
    switch (block.label) {
      case 'CERTIFICATE':
        out.certs.push(certificate(block.der, 'a CERTIFICATE block'));
        break;
      case 'PRIVATE KEY':
      case 'RSA PRIVATE KEY':
      case 'EC PRIVATE KEY':
      case 'ENCRYPTED PRIVATE KEY':
        out.encryptedKey ||= block.label === 'ENCRYPTED PRIVATE KEY' || 'Proc-Type' in block.headers;
        out.traditionalEncryption ||= /ENCRYPTED/.test(block.headers['Proc-Type'] ?? '');
        out.keys.push(readKey(block, password));
        break;
      case 'EC PARAMETERS':
        break; // written by `openssl ecparam -genkey` before the key; carries nothing we need
      case 'OPENSSH PRIVATE KEY':
        throw unsupported('the key is in OpenSSH format, which TLS servers cannot use');
      default:
        if (PKCS7_LABELS.has(block.label)) out.certs.push(...bundleCertificates(block.der));
        else out.other.push(block.label);
    }
  }
  return out;
}
