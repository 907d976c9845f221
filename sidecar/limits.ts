// Every limit applied to untrusted bytes, with the reason for its value. They are checked before
// the expensive step they guard: size before reading, depth while parsing, iteration counts before
// any key derivation runs.

/** Largest input file we read. Kubernetes caps a whole Secret at 1 MiB, and a PFX holding an
 *  8192-bit RSA key with a long chain is under 20 kB, so 1 MiB leaves room without letting a
 *  50 MB file or /dev/zero through. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** Deepest ASN.1 nesting we parse. A PKCS#12 file nests about 12 levels, an X.509 certificate
 *  about 10. 64 is generous and keeps a hostile file of nested headers from exhausting the stack. */
export const MAX_ASN1_DEPTH = 64;

/** Most safe bags in one PKCS#12 file. .NET's Pkcs12LoaderLimits allow 200 keys and 200
 *  certificates; a real file holds a handful. Thousands of bags are refused before any is decoded. */
export const MAX_PFX_BAGS = 400;

/** Most iterations one MAC or KDF may ask for. Some tools write 600,000 by default (and .NET
 *  refuses anything over 300,000 per KDF), so we read up to this cap and re-encode within .NET's
 *  limits. Above it, a hostile file could pin the CPU for seconds per candidate password. */
export const MAX_ITERATIONS_PER_KDF = 2_000_000;

/** Most iterations all MACs and KDFs of one file may ask for together. */
export const MAX_ITERATIONS_TOTAL = 4_000_000;

/** The iteration count of every KDF and MAC in a PFX we write: cert-manager's Modern2023 and
 *  OpenSSL 3's default. A source PFX with fewer is re-encoded rather than published as it is. */
export const PFX_ITERATIONS = 2048;

/** .NET 9+ Pkcs12LoaderLimits defaults: a PFX over these does not load in Kestrel. */
export const DOTNET_MAX_ITERATIONS_PER_KDF = 300_000;
export const DOTNET_MAX_ITERATIONS_TOTAL = 1_000_000;

/** Most certificates in one PEM bundle or chain. A real chain has 2 to 4; a CA bundle mounted by
 *  mistake has ~150, which is still not a server chain. */
export const MAX_PEM_BLOCKS = 200;

/** Most names in KCS_HOSTNAMES. Browsers and Go's crypto/x509 cope with hundreds of SANs, but a
 *  generated development certificate with more than 100 names is a configuration mistake. */
export const MAX_HOSTNAMES = 100;

/** RSA keys below this size are refused (CA/Browser Forum baseline; .NET 10 on Linux and OpenSSL 3
 *  at security level 2 reject smaller keys). */
export const MIN_RSA_BITS = 2048;

/** RSA keys above this size are refused as unsupported: nothing in practice uses more, and a huge
 *  modulus makes every handshake slow. */
export const MAX_RSA_BITS = 16384;

/** A warning is given when the certificate expires within this window. */
export const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;
