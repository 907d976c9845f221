namespace KestrelCertSidecar.AspNetCore;

/// <summary>
/// How the companion reads the volume the sidecar publishes to. Every value can also be set in configuration,
/// under <c>KestrelCertSidecar</c> (for example <c>KestrelCertSidecar__StartupTimeout=00:02:00</c> in the
/// environment); the configure callback of <c>UseKestrelCertSidecar</c> runs last and wins.
/// </summary>
public sealed class KestrelCertSidecarOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "KestrelCertSidecar";

    /// <summary>Where the app sees the sidecar's volume (its <c>KCS_MOUNT_PATH</c>), for example
    /// <c>/https</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// How long the app waits at start for a valid set before it stops (fail closed). The sidecar's init step
    /// usually publishes within a second; a pod whose volume is slow, or a compose tool that ignores the init
    /// step's exit code, needs the wait. Default 30 seconds; zero means one look.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the volume is looked at besides its file events. File events make a publish reach clients
    /// within milliseconds; the poll is the safety net for mounts that raise none (Docker Desktop and Podman
    /// machines serving a Windows or macOS folder over 9p or virtiofs). Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The password of <c>cert.pfx</c>, for a volume that holds a PFX and no <c>tls.key</c>. The sidecar always
    /// publishes <c>tls.key</c>, so this is needed only for other publishers; when the sidecar generated the
    /// password, <c>cert.password</c> of the same generation is read instead.
    /// </summary>
    public string? PfxPassword { get; set; }
}
