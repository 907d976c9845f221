using System.Collections.Immutable;
using System.Reflection;

namespace KestrelCertSidecar.Testcontainers;

/// <summary>
/// Builds a <see cref="KestrelCertsContainer"/>: the kestrel-cert-sidecar image run once as an init step.
/// Like Testcontainers' own builders, every <c>With</c> method returns a new builder and leaves this one as it
/// was.
/// </summary>
/// <example>
/// <code>
/// await using var certs = new KestrelCertsBuilder()
///     .WithHostnames("api", "gateway", "localhost")
///     .Build();
/// await certs.StartAsync();
/// var api = new ContainerBuilder("my-api:dev").WithKestrelCerts(certs).WithNetworkAliases("api").Build();
/// </code>
/// </example>
public sealed class KestrelCertsBuilder
{
    /// <summary>
    /// Where the sidecar publishes inside its own container; the volume or directory is mounted there.
    /// </summary>
    internal const string SidecarOutput = "/https";

    /// <summary>Where the sidecar reads a source from inside its own container.</summary>
    internal const string SidecarSource = "/certs";

    /// <summary>Settings the builder owns; <see cref="WithEnvironment"/> refuses them.</summary>
    private static readonly string[] OwnedSettings =
    [
        "KCS_OUTPUT", "KCS_MOUNT_PATH", "KCS_SOURCE", "KCS_SOURCE_FILE", "KCS_PASSWORD", "KCS_PASSWORD_FILE",
        "KCS_HOSTNAMES",
    ];

    private readonly KestrelCertsSettings _settings;

    /// <summary>
    /// A builder for the image <see cref="DefaultImage"/>, generating a certificate for <c>localhost</c>, published
    /// to a new Docker volume.
    /// </summary>
    public KestrelCertsBuilder()
        : this(new KestrelCertsSettings(
            DefaultImage, [], null, null, null, "/https", ImmutableSortedDictionary<string, string>.Empty))
    {
    }

    private KestrelCertsBuilder(KestrelCertsSettings settings) => _settings = settings;

    /// <summary>
    /// The image this version of the library was released with: <c>kestrel-cert-sidecar:&lt;version&gt;</c>.
    /// </summary>
    public static string DefaultImage { get; } =
        typeof(KestrelCertsBuilder).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "KestrelCertSidecarImage")
            .Value!;

    /// <summary>Uses another image of the sidecar (a registry copy, or a local build with another tag).</summary>
    public KestrelCertsBuilder WithImage(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        return new(_settings with { Image = image });
    }

    /// <summary>
    /// The names the generated certificate covers (<c>KCS_HOSTNAMES</c>): the services' network aliases, and
    /// <c>localhost</c> for the test's own client.
    /// </summary>
    public KestrelCertsBuilder WithHostnames(params string[] hostnames)
    {
        ArgumentNullException.ThrowIfNull(hostnames);
        foreach (var name in hostnames)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains(','))
            {
                throw new ArgumentException(
                    $"a host name must be non-empty and hold no comma: \"{name}\"", nameof(hostnames));
            }
        }
        return new(_settings with { Hostnames = [.. _settings.Hostnames, .. hostnames] });
    }

    /// <summary>
    /// Validates and publishes this certificate directory (or single file: a PFX, or a PEM bundle) instead of
    /// generating one. It is mounted read-only; the sidecar runs as uid 1654, so the files must be readable by it.
    /// </summary>
    /// <param name="path">A directory or file on the Docker host.</param>
    /// <param name="password">The PFX password, or <c>null</c> when there is none.</param>
    public KestrelCertsBuilder WithSource(string path, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full) && !File.Exists(full))
        {
            throw new ArgumentException($"the certificate source {full} does not exist", nameof(path));
        }
        return new(_settings with { Source = full, Password = password });
    }

    /// <summary>
    /// Publishes into a directory of the Docker host instead of a new volume.
    /// </summary>
    /// <param name="hostDirectory">The directory on the host; created when missing.</param>
    /// <param name="mountPath">
    /// Where the consumers see it: the paths in <see cref="KestrelCertsContainer.KestrelEnvironment"/> point
    /// there. Containers mount the directory at this path; a Kestrel running on the host itself passes
    /// <paramref name="hostDirectory"/>.
    /// </param>
    public KestrelCertsBuilder WithOutputDirectory(string hostDirectory, string mountPath = "/https")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostDirectory);
        CheckMountPath(mountPath);
        return new(_settings with { OutputDirectory = Path.GetFullPath(hostDirectory), MountPath = mountPath });
    }

    /// <summary>Where app containers mount the published set (default <c>/https</c>).</summary>
    public KestrelCertsBuilder WithMountPath(string mountPath)
    {
        CheckMountPath(mountPath);
        return new(_settings with { MountPath = mountPath });
    }

    /// <summary>
    /// Passes any other setting of the sidecar, for example <c>KCS_KESTREL_FORMAT=pfx</c>, <c>KCS_KEY_TYPE</c>,
    /// <c>KCS_APP_NAME</c>. The settings the builder owns (output, mount path, source, password, host names) are
    /// refused: use their methods.
    /// </summary>
    public KestrelCertsBuilder WithEnvironment(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (OwnedSettings.Contains(name))
        {
            throw new ArgumentException($"{name} is set by the builder; use its With method instead", nameof(name));
        }
        return new(_settings with { Environment = _settings.Environment.SetItem(name, value) });
    }

    /// <summary>The sidecar, ready to <see cref="KestrelCertsContainer.StartAsync"/>.</summary>
    public KestrelCertsContainer Build() => new(_settings);

    private static void CheckMountPath(string mountPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mountPath);
        if (!mountPath.StartsWith('/') && !System.IO.Path.IsPathRooted(mountPath))
        {
            throw new ArgumentException($"the mount path must be absolute: \"{mountPath}\"", nameof(mountPath));
        }
    }
}

/// <summary>Everything a <see cref="KestrelCertsBuilder"/> collected.</summary>
internal sealed record KestrelCertsSettings(
    string Image,
    ImmutableArray<string> Hostnames,
    string? Source,
    string? Password,
    string? OutputDirectory,
    string MountPath,
    ImmutableSortedDictionary<string, string> Environment);
