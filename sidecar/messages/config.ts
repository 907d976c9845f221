// The words of CONFIG_INVALID: a setting, flag or command the sidecar cannot act on, each variant named
// for what is wrong. Part of the catalogue (messages/index.ts). `suggestion` is what didYouMean
// (settings/command-line.ts) adds: ` (did you mean X?)`, or nothing.
import { define } from './define.js';

const checkPassword =
  "write the password on one line, with no NUL: kestrel.env and the app's environment carry it as one line";
const healthCannotListen = (where: string, why: string) => `the health server cannot listen on ${where}: ${why}`;

export const CONFIG_INVALID = define(
  'CONFIG_INVALID',
  'an unknown setting or flag, a bad value, conflicting settings, a password given as a flag',
  {
    // The command line.
    /** `secret`: the flag names a password or secret, which are never taken from flags. */
    unknownOption: (d: { raw: string; suggestion: string; secret: boolean }) => ({
      message:
        `unknown option ${d.raw}${d.suggestion}` +
        (d.secret
          ? ' (secrets are never taken from flags, which show up in `ps`: use KCS_PASSWORD_FILE or KCS_PASSWORD)'
          : ''),
      hint: 'run with --help to list the options',
    }),
    flagTakesNoValue: (d: { name: string }) => ({
      message: `option --${d.name} takes no value`,
      hint: `write --${d.name} alone`,
    }),
    /** `value`: the next argument, taken for an option (it starts with a dash), if any. */
    needsValue: (d: { name: string; value: string | undefined }) => ({
      message: `option --${d.name} needs a value`,
      hint:
        d.value === undefined
          ? `write --${d.name} <value>`
          : `write --${d.name}=${d.value} for a value that starts with a dash`,
    }),
    unknownSetting: (d: { name: string; suggestion: string }) => ({
      message: `unknown setting ${d.name}${d.suggestion}`,
      hint: 'remove it, or use one of the settings docs/reference.md lists',
    }),
    unknownCommand: (d: { word: string; commands: readonly string[]; suggestion: string }) => ({
      message: `command \`${d.word}\` is not valid: use one of ${d.commands.join(', ')}${d.suggestion}`,
      hint: `set command to one of ${d.commands.join(', ')}`,
    }),
    noCommand: (d: { commands: readonly string[] }) => ({
      message: 'no command given',
      hint: `run one of: ${d.commands.join(', ')} (for example \`kestrel-cert-sidecar init\`)`,
    }),
    unexpectedArgument: (d: { argument: string | undefined }) => ({
      message: `unexpected argument ${d.argument}`,
      hint: 'options take the form --name value; run with --help to list them',
    }),
    /** `actions`: the trust actions given, none or several. */
    trustActions: (d: { actions: readonly string[] }) => ({
      message: d.actions.length
        ? `trust takes one of ${d.actions.map((a) => `--${a}`).join(', ')}, not ${d.actions.length}`
        : 'trust needs to be told what to do',
      hint: 'run `trust --install` (or --print, --uninstall, --status)',
    }),
    trustOption: (d: { flag: string }) => ({
      message: `--${d.flag} is an option of the trust command`,
      hint: `run \`kestrel-cert-sidecar trust --${d.flag === 'java' ? 'install --java' : d.flag}\``,
    }),

    // Values of settings.
    /** `value`: as given, absent for a secret; `kind` and `dflt`: the setting's, for the fix. */
    badValue: (d: {
      env: string;
      value: string | undefined;
      reason: string;
      kind: string;
      dflt: string | undefined;
    }) => ({
      message: `${d.env}${d.value === undefined ? '' : ` \`${d.value}\``} is not valid: ${d.reason}`,
      hint:
        d.kind === 'port'
          ? `set ${d.env} to a port number from 0 to 65535 (0 picks a free port), such as ${d.dflt ?? '8089'}`
          : `set ${d.env} as docs/reference.md describes it`,
    }),
    choice: (d: { name: string; value: string; options: readonly string[]; suggestion: string }) => ({
      message: `${d.name} \`${d.value}\` is not valid: use one of ${d.options.join(', ')}${d.suggestion}`,
      hint: `set ${d.name} to one of ${d.options.join(', ')}`,
    }),
    duration: (d: { name: string; value: string }) => ({
      message: `${d.name} \`${d.value}\` is not a duration: use a number and a unit, such as 90d, 12h, 30m or 45s`,
      hint: `set ${d.name} to a value like 90d`,
    }),
    validityRange: (d: { value: string }) => ({
      message: `KCS_VALIDITY \`${d.value}\` is out of range: use 1h to 825d`,
      hint: 'set KCS_VALIDITY=90d (Apple platforms refuse server certificates valid for more than 825 days)',
    }),
    hostnamesEmpty: () => ({
      message: 'KCS_HOSTNAMES is empty',
      hint: 'list at least one name, such as KCS_HOSTNAMES=localhost,api',
    }),
    tooManyHostnames: (d: { count: number; max: number }) => ({
      message: `KCS_HOSTNAMES lists ${d.count} names, more than ${d.max}`,
      hint:
        'list only the names clients use to reach this service; use a wildcard such as *.example.test for many ' +
        'subdomains',
    }),
    /** `v4`: the IPv4 address the mapped one stands for. */
    ipv4Mapped: (d: { name: string; v4: string }) => ({
      message:
        `KCS_HOSTNAMES address \`${d.name}\` is an IPv4-mapped IPv6 address: clients reach that host as ${d.v4}, ` +
        'and a certificate names it by its 4-byte address',
      hint: `write ${d.v4}`,
    }),
    numericLabel: (d: { name: string }) => ({
      message: `KCS_HOSTNAMES name \`${d.name}\` is neither an IP address nor a DNS name (its last label is a number)`,
      hint: 'write an IPv4 address as four numbers from 0 to 255, such as 10.0.0.5, or a DNS name such as api',
    }),
    /** `ascii`: its punycode form, if the name has one. */
    notAscii: (d: { name: string; ascii: string }) => ({
      message:
        `KCS_HOSTNAMES name \`${d.name}\` is not ASCII: ` +
        'certificates carry internationalized names in their punycode form',
      hint: d.ascii ? `write it as ${d.ascii}` : 'write the name in its punycode (xn--) form',
    }),
    /** `name`: escaped as JSON escapes it. */
    notDnsName: (d: { name: string }) => ({
      message: `KCS_HOSTNAMES name \`${d.name}\` is not a DNS name or IP address`,
      hint: 'use names such as api, api.example.test, *.example.test, 10.0.0.5 or ::1',
    }),
    owner: (d: { value: string; max: number }) => ({
      message: `KCS_OWNER \`${d.value}\` is not valid: use uid:gid with numbers from 0 to ${d.max}, such as 1654:1654`,
      hint: 'set KCS_OWNER=1654:1654 (the app user of the ASP.NET Core images)',
    }),
    /** `value`: shown escaped (printable); `what`: `a line break`, `a NUL` or `a control character`. */
    controlCharacter: (d: { name: string; value: string; what: string }) => ({
      message: `${d.name} \`${d.value}\` holds ${d.what}: it is written into kestrel.env, one variable a line`,
      hint: `set ${d.name} to a path without control characters`,
    }),
    systemDirectory: (d: { output: string; real: string }) => ({
      message: `KCS_OUTPUT ${d.output}${d.real !== d.output ? ` (${d.real})` : ''} is a system directory`,
      hint: 'point KCS_OUTPUT at a directory of its own, such as a volume mounted at /https',
    }),
    /** `scheme`: https or http. */
    endpoint: (d: { env: string; url: string; scheme: string }) => ({
      message: `${d.env} \`${d.url}\` is not a Kestrel ${d.scheme} endpoint`,
      hint:
        `write it as ${d.scheme}://+:PORT (every address) or ${d.scheme}://HOST:PORT, ` +
        `e.g. ${d.scheme}://+:${d.scheme === 'https' ? 8081 : 8080}`,
    }),

    // Settings that conflict.
    bothPasswords: () => ({
      message: 'both KCS_PASSWORD and KCS_PASSWORD_FILE are set',
      hint: 'set only one: KCS_PASSWORD_FILE is the safer, as it keeps the password out of the environment',
    }),
    bothOutputPasswords: () => ({
      message: 'both KCS_OUTPUT_PASSWORD and KCS_OUTPUT_PASSWORD_FILE are set',
      hint: 'set only one of them',
    }),
    /** `appName`: KCS_APP_NAME is the one set (else KCS_USER_SECRETS_ID is). */
    halfDevLayout: (d: { appName: boolean }) => ({
      message: d.appName
        ? 'KCS_APP_NAME is set without KCS_USER_SECRETS_ID'
        : 'KCS_USER_SECRETS_ID is set without KCS_APP_NAME',
      hint: 'set both: KCS_APP_NAME to the app assembly name and KCS_USER_SECRETS_ID to its <UserSecretsId>',
    }),
    appName: (d: { value: string }) => ({
      message: `KCS_APP_NAME \`${d.value}\` is not a file name`,
      hint: 'set it to the app assembly name, such as MyApi',
    }),
    userSecretsId: (d: { value: string }) => ({
      message: `KCS_USER_SECRETS_ID \`${d.value}\` is not valid`,
      hint: 'set it to the <UserSecretsId> of the app project, such as a GUID',
    }),
    /** `state`: KCS_STATE as given, with its real path; `holds`: it holds the output (else it is inside). */
    stateInOutput: (d: { state: string; holds: boolean; output: string }) => ({
      message: `${d.state} ${d.holds ? 'holds' : 'is inside'} KCS_OUTPUT ${d.output}`,
      hint:
        'the CA key must never reach the shared volume: ' +
        'point KCS_STATE at a private directory apart from KCS_OUTPUT',
    }),
    /** `inside`: the source is inside the state (else it holds it). */
    sourceNearState: (d: { source: string; real: string; inside: boolean; state: string }) => ({
      message:
        `KCS_SOURCE ${d.source}${d.real !== d.source ? ` (${d.real})` : ''} ` +
        `${d.inside ? 'is inside' : 'holds'} ${d.state}, where the development CA key is kept`,
      hint:
        'the CA key must never be published: point KCS_SOURCE at your certificate and key, apart from KCS_STATE, or ' +
        'unset it to have a leaf issued by the CA',
    }),

    // Passwords. Their text is never shown: only where they came from and what is wrong with them.
    /** `where`: the setting and file it came from; `nul`: it holds a NUL (else a line break). */
    passwordLine: (d: { where: string; nul: boolean }) => ({
      message:
        `the password in ${d.where} holds a ${d.nul ? 'NUL' : 'line break'} ` +
        '(after the one trailing newline that is stripped)',
      hint: checkPassword,
    }),
    outputPasswordLineBreak: () => ({
      message: 'the output password holds a line break, which kestrel.env cannot carry',
      hint: 'use a password without line breaks (KCS_OUTPUT_PASSWORD_FILE: one trailing newline is stripped)',
    }),
    secretsJson: (d: { file: string }) => ({
      message: `cannot read ${d.file}: it is not valid JSON`,
      hint:
        'KCS_USER_SECRETS must point at a secrets.json as `dotnet user-secrets` writes it ' +
        '(check it with `dotnet user-secrets list`)',
    }),
    /** `keys`: the keys of secrets.json a password is read from. */
    noSecret: (d: { file: string; keys: readonly string[] }) => ({
      message: `cannot read a password from ${d.file}: it has neither ${d.keys.join(' nor ')}`,
      hint:
        'run `dotnet user-secrets set "Kestrel:Certificates:Development:Password" <password>` in the app ' +
        'project, or set KCS_PASSWORD_FILE',
    }),

    // Commands.
    probeNoUrl: () => ({ message: 'probe needs --url', hint: 'run probe --url https://api:8081' }),
    probeNotHttps: (d: { url: string }) => ({
      message: `probe --url \`${d.url}\` is not an https:// URL`,
      hint: 'give the HTTPS endpoint of the app, such as https://api:8081',
    }),
    probeNotSha256: (d: { value: string | undefined }) => ({
      message: `--expect-sha256 \`${d.value}\` is not a SHA-256 fingerprint`,
      hint: 'give 64 hex digits, with or without colons',
    }),
    /** `steps`: how to trust the CA on the host instead. */
    trustInContainer: (d: { action: string; steps: string }) => ({
      message:
        `trust --${d.action} changes the trust stores of the machine it runs on, and this is a container ` +
        '(KCS_RUNS_IN=container), not your machine',
      hint: `run ${d.steps}`,
    }),
    /** `subject`: the certificate's subject on one line. */
    trustNotCa: (d: { file: string; subject: string }) => ({
      message: `${d.file} is not a CA certificate (${d.subject})`,
      hint:
        'trust the CA that issued the certificate (the ca/ca.crt of KCS_STATE, or what `trust --print` writes), not ' +
        'the server certificate',
    }),
    /** `where`: the address and port, in words. */
    healthPortInUse: (d: { where: string }) => ({
      message: healthCannotListen(d.where, 'the port is in use'),
      hint: 'set KCS_HEALTH_PORT to a free port (0 picks one), or stop what listens there',
    }),
    healthNoAddress: (d: { where: string }) => ({
      message: healthCannotListen(d.where, 'no such address here'),
      hint:
        'set KCS_HEALTH_ADDRESS to an address of this machine, such as 127.0.0.1, ' +
        'or leave it unset for every address',
    }),
    healthDenied: (d: { where: string }) => ({
      message: healthCannotListen(d.where, 'permission denied'),
      hint: 'use a port above 1023 (KCS_HEALTH_PORT), or run as root',
    }),
  },
);
