// Imported first by the entry points, so it runs before anything else is evaluated: the program uses
// Node 24 APIs throughout (process.getBuiltinModule, X509Certificate.validToDate, ...), and an older
// Node should say so plainly rather than fail somewhere inside.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `CONFIG_INVALID this is Node.js ${process.version}; kestrel-cert-sidecar needs Node.js 24 or later\n` +
      'fix: run it with Node.js 24 ' +
      '(the image has it; in a clone of the repository, `npm ci` installs it and `npm run` uses it)\n',
  );
  process.exit(2);
}
export {};
