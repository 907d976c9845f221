using System.Net.Http;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Volumes;

namespace KestrelCertSidecar.Testcontainers;

/// <summary>
/// The kestrel-cert-sidecar image run once (<c>init</c>) against a Docker volume or a host directory.
/// After <see cref="StartAsync"/> the published set is there, and this object says how to use it.
/// Disposing it removes the container and, when it made one, the volume.
/// </summary>
public sealed class KestrelCertsContainer : IAsyncDisposable
{
    private const string AppUser = "1654:1654";

    private readonly KestrelCertsSettings _settings;
    private IVolume? _volume;
    private IContainer? _container;
    private Published? _published;

    internal KestrelCertsContainer(KestrelCertsSettings settings)
    {
        _settings = settings;
        MountPath = settings.MountPath;
    }

    /// <summary>
    /// The Docker volume holding the published set or, with <see cref="KestrelCertsBuilder.WithOutputDirectory"/>,
    /// the host directory.
    /// </summary>
    public string VolumeName => _settings.OutputDirectory ?? _volume?.Name ?? throw NotStarted(nameof(VolumeName));

    /// <summary>
    /// True when the set is in a host directory (<see cref="KestrelCertsBuilder.WithOutputDirectory"/>) rather than
    /// a volume.
    /// </summary>
    public bool IsHostDirectory => _settings.OutputDirectory is not null;

    /// <summary>
    /// Where app containers mount <see cref="VolumeName"/> (read-only); the paths of
    /// <see cref="KestrelEnvironment"/> point there.
    /// </summary>
    public string MountPath { get; }

    /// <summary>
    /// The <c>ASPNETCORE_Kestrel__Certificates__Default__*</c> variables that make Kestrel serve the set (the
    /// published <c>kestrel.env</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> KestrelEnvironment => Done.KestrelEnvironment;

    /// <summary>What was published: fingerprint, names, validity (the published <c>manifest.json</c>).</summary>
    public KestrelCertsManifest Manifest => Done.Manifest;

    /// <summary>The trust anchor of the published chain (<c>ca.crt</c>).</summary>
    public X509Certificate2 CaCertificate => Done.Ca;

    /// <summary>
    /// Where a container that calls the app finds a CA bundle trusting the public roots and
    /// <see cref="CaCertificate"/>: set <c>SSL_CERT_FILE</c> to it.
    /// </summary>
    public string TrustBundlePath => $"{MountPath.TrimEnd('/')}/trust/ca-bundle.crt";

    /// <summary>What the sidecar printed: its findings, and the generation it published.</summary>
    public string Logs => _published?.Logs ?? throw NotStarted(nameof(Logs));

    /// <summary>
    /// Runs <c>init</c> and waits for it to exit. On exit code 0 the set is published and the properties can be
    /// read; any other exit throws a <see cref="KestrelCertsException"/> with the sidecar's findings (code, file,
    /// cause, fix).
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_container is not null)
        {
            throw new InvalidOperationException(
                "this KestrelCertsContainer was started already; build another one to publish again");
        }
        var user = _settings.OutputDirectory is null ? AppUser : HostDirectoryUser();
        var builder = new ContainerBuilder(_settings.Image)
            .WithCommand("init")
            .WithEnvironment("KCS_OUTPUT", KestrelCertsBuilder.SidecarOutput)
            .WithEnvironment("KCS_MOUNT_PATH", MountPath)
            .WithCreateParameterModifier(p =>
            {
                // As in production: nothing but the output is writable, and no capability is needed.
                p.User = user;
                p.HostConfig ??= new Docker.DotNet.Models.HostConfig();
                p.HostConfig.ReadonlyRootfs = true;
                p.HostConfig.CapDrop = ["ALL"];
            })
            .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(
                new UntilExited(),
                w => w.WithMode(WaitStrategyMode.OneShot).WithTimeout(TimeSpan.FromMinutes(2))));
        foreach (var (name, value) in _settings.Environment) builder = builder.WithEnvironment(name, value);
        if (!_settings.Hostnames.IsDefaultOrEmpty)
        {
            builder = builder.WithEnvironment("KCS_HOSTNAMES", string.Join(',', _settings.Hostnames));
        }
        if (_settings.Source is { } source)
        {
            var target = Directory.Exists(source)
                ? KestrelCertsBuilder.SidecarSource
                : $"{KestrelCertsBuilder.SidecarSource}/{Path.GetFileName(source)}";
            builder = builder.WithBindMount(source, target, AccessMode.ReadOnly).WithEnvironment("KCS_SOURCE", target);
            if (_settings.Password is { } password) builder = builder.WithEnvironment("KCS_PASSWORD", password);
        }
        if (_settings.OutputDirectory is { } dir)
        {
            builder = builder.WithBindMount(
                PrepareHostDirectory(dir), KestrelCertsBuilder.SidecarOutput, AccessMode.ReadWrite);
        }
        else
        {
            // A new named volume takes the owner of the image's /https (1654), so the sidecar can write it.
            _volume = new VolumeBuilder().WithName($"kestrel-certs-{Guid.NewGuid():N}").Build();
            await _volume.CreateAsync(ct).ConfigureAwait(false);
            builder = builder.WithVolumeMount(_volume, KestrelCertsBuilder.SidecarOutput, AccessMode.ReadWrite);
        }

        _container = builder.Build();
        await _container.StartAsync(ct).ConfigureAwait(false);
        var exit = await _container.GetExitCodeAsync(ct).ConfigureAwait(false);
        var (stdout, stderr) = await _container.GetLogsAsync(timestampsEnabled: false, ct: ct).ConfigureAwait(false);
        var logs = stdout + stderr;
        if (exit != 0) throw new KestrelCertsException(exit, logs);
        _published = await ReadPublishedAsync(logs, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// An <see cref="HttpClientHandler"/> that trusts exactly <see cref="CaCertificate"/> (not the machine's store)
    /// and still checks the host name and validity, as a strict client does.
    /// </summary>
    public HttpClientHandler CreateHttpClientHandler()
    {
        var ca = CaCertificate;
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
                cert is not null && TrustsOnlyCa(ca, cert, errors),
        };
    }

    /// <summary>
    /// The same trust as <see cref="CreateHttpClientHandler"/>, for <see cref="SocketsHttpHandler"/>.
    /// </summary>
    public SocketsHttpHandler CreateSocketsHttpHandler()
    {
        var ca = CaCertificate;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                    cert is not null && TrustsOnlyCa(ca, AsCertificate2(cert), errors),
            },
        };
    }

    private static X509Certificate2 AsCertificate2(X509Certificate cert) => cert as X509Certificate2 ??
#if NET9_0_OR_GREATER
        X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
#else
        new X509Certificate2(cert.GetRawCertData());
#endif

    /// <summary>Removes the sidecar's container and the volume it made; a host directory is left as it is.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_container is not null) await _container.DisposeAsync().ConfigureAwait(false);
        if (_volume is not null) await _volume.DisposeAsync().ConfigureAwait(false);
        _published?.Ca.Dispose();
    }

    /// <summary>
    /// The chain is built with <paramref name="ca"/> as the only trust anchor. A name mismatch (or no certificate)
    /// fails as it would in a default client; the machine's own roots play no part either way.
    /// </summary>
    internal static bool TrustsOnlyCa(X509Certificate2 ca, X509Certificate2 served, SslPolicyErrors errors)
    {
        const SslPolicyErrors nameOrNoCertificate =
            SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable;
        if ((errors & nameOrNoCertificate) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(served);
    }

    private Published Done => _published ?? throw NotStarted("the published set");

    private static InvalidOperationException NotStarted(string what) =>
        new($"{what} is known only after StartAsync() has published; await certs.StartAsync() first");

    private async Task<Published> ReadPublishedAsync(string logs, CancellationToken ct)
    {
        // The names in the output are symlinks into ..data; Docker's archive API follows the directory links of a
        // path but returns a last component that is a link as the link, so read through ..data.
        async Task<byte[]> Read(string name) =>
            await _container!
                .ReadFileAsync($"{KestrelCertsBuilder.SidecarOutput}/..data/{name}", ct)
                .ConfigureAwait(false);
        var env = ParseEnvFile(Encoding.UTF8.GetString(await Read("kestrel.env").ConfigureAwait(false)));
        var manifest = JsonSerializer.Deserialize(
                await Read("manifest.json").ConfigureAwait(false), ManifestJson.Default.KestrelCertsManifest)
            ?? throw new InvalidDataException("manifest.json is empty");
        var ca = X509Certificate2.CreateFromPem(
            Encoding.ASCII.GetString(await Read("ca.crt").ConfigureAwait(false)));
        return new Published(env, manifest, ca, logs);
    }

    /// <summary>
    /// Docker's env-file format, as the sidecar writes <c>kestrel.env</c>: KEY=value a line, no quoting.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> ParseEnvFile(string text)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var i = line.IndexOf('=');
            if (i > 0) env[line[..i]] = line[(i + 1)..];
        }
        return env;
    }

    /// <summary>
    /// The directory is created when missing. As root, it is given to 1654 so the sidecar can run as the app user
    /// and containers running as <c>app</c> read the set. Otherwise the sidecar runs as the calling user, so the
    /// files belong to that user (a Kestrel on the host can read them; containers reading them must run as that
    /// user).
    /// </summary>
    private static string PrepareHostDirectory(string dir)
    {
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows() && Unix.geteuid() == 0) Unix.Chown(dir, 1654, 1654);
        return dir;
    }

    private static string HostDirectoryUser() =>
        OperatingSystem.IsWindows() || Unix.geteuid() == 0 ? AppUser : $"{Unix.geteuid()}:{Unix.getegid()}";

    private sealed record Published(
        IReadOnlyDictionary<string, string> KestrelEnvironment,
        KestrelCertsManifest Manifest,
        X509Certificate2 Ca,
        string Logs);

    private sealed class UntilExited : IWaitUntil
    {
        public Task<bool> UntilAsync(IContainer container) =>
            Task.FromResult(container.State == TestcontainersStates.Exited);
    }

    private static class Unix
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        internal static extern uint getegid();

        [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
        private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

        internal static void Chown(string path, uint uid, uint gid)
        {
            if (chown(path, uid, gid) != 0)
            {
                throw new IOException($"cannot give {path} to {uid}:{gid} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
    }
}
