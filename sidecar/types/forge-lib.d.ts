// node-forge is loaded module by module so the bundle carries only ASN.1, its helpers and RC2,
// not forge's TLS, RSA and big-number code. The types are those of the whole package.
declare module 'node-forge/lib/forge.js' {
  import forge from 'node-forge';
  export default forge;
}
declare module 'node-forge/lib/asn1.js';
declare module 'node-forge/lib/util.js';
declare module 'node-forge/lib/oids.js';
declare module 'node-forge/lib/rc2.js';
