using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KestrelCertSidecar.AspNetCore;

/// <summary>
/// Keeps the served set current: waits for a valid set before Kestrel starts, then reloads within a second of
/// each publish and keeps serving the last good set when a read fails.
/// <list type="number">
/// <item>Before any hosted service starts (<see cref="IHostedLifecycleService.StartingAsync"/> runs before the
/// web server binds), look at the volume until a valid set loads or the start-up timeout passes; then stop
/// the app with one message naming the volume and the sidecar (fail closed).</item>
/// <item>Watch the volume directory: the sidecar's publish is a rename of <c>..data</c>, which raises a file
/// event, and each event makes one look.</item>
/// <item>Poll every <see cref="KestrelCertSidecarOptions.PollInterval"/> as well, for mounts that raise no file
/// events (9p and virtiofs shares of Docker Desktop and Podman machines).</item>
/// <item>A look compares the generation <c>..data</c> points at with the served one; only a new generation is
/// read, whole, from its own directory (<see cref="CertificateSetReader"/>). A set that cannot be read or fails
/// a check is logged once and never served; the last good set stays.</item>
/// </list>
/// </summary>
internal sealed partial class CertificateMonitor(KestrelCertSidecarOptions options, ILogger<CertificateMonitor> logger)
    : IHostedLifecycleService, IKestrelCertSidecarState, IDisposable
{
    // A field, not the primary constructor's parameter: .NET 8's logging generator looks for one.
    private readonly ILogger<CertificateMonitor> _logger = logger;
    private readonly object _gate = new();
    private volatile CertificateSet? _current;
    private string? _lastError;
    private FileSystemWatcher? _watcher;
    private Timer? _poll;
    private int _looking;
    private int _again;

    /// <summary>The set every handshake gets; null until the first valid set loads.</summary>
    public CertificateSet? Current => _current;

    public bool IsServing => _current is not null;
    public string? Sha256 => _current?.Sha256;
    public string? Thumbprint => _current?.Leaf.Thumbprint;
    public string? Subject => _current?.Leaf.Subject;
    public DateTimeOffset? NotAfter => _current is { } s ? new DateTimeOffset(s.Leaf.NotAfter.ToUniversalTime()) : null;
    public int Intermediates => _current?.Intermediates.Count ?? 0;
    public string? Generation => _current?.Generation;
    public DateTimeOffset? LoadedAt => _current?.LoadedAt;
    public string? LastError => _lastError;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var dir = options.Directory;
        Watch(dir);
        var deadline = DateTimeOffset.UtcNow + options.StartupTimeout;
        // (1) Wait for a set: a look every 100 ms (and on every file event), until the deadline.
        while (!Look() && DateTimeOffset.UtcNow < deadline)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var step = TimeSpan.FromMilliseconds(100);
            await Task.Delay(left < step ? left : step, cancellationToken);
        }
        if (_current is null)
        {
            var message =
                $"KestrelCertSidecar: no certificate to serve: {dir} held no valid set after " +
                $"{options.StartupTimeout.TotalSeconds:0.#} s " +
                $"({_lastError ?? "nothing was published there"}). " +
                "fix: run kestrel-cert-sidecar (init, or watch as a sidecar) with its output on the volume " +
                $"this app mounts at {dir}, " +
                "and start the app once it has succeeded (its log names any problem with the certificate); " +
                $"to wait longer, set {KestrelCertSidecarOptions.SectionName}__StartupTimeout " +
                $"(now {options.StartupTimeout:c})";
            // The host logs it ("Hosting failed to start") and the app ends before Kestrel binds a port.
            throw new KestrelCertSidecarException(message);
        }
        // (3) The safety-net poll.
        _poll = new Timer(_ => Look(), null, options.PollInterval, options.PollInterval);
    }

    /// <summary>(2) File events on the volume directory; the poll covers a directory that is not there yet.</summary>
    private void Watch(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        try
        {
            var watcher = new FileSystemWatcher(dir)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite,
            };
            FileSystemEventHandler onEvent = (_, _) => ThreadPool.UnsafeQueueUserWorkItem(_ => Look(), null);
            watcher.Created += onEvent;
            watcher.Changed += onEvent;
            watcher.Deleted += onEvent;
            watcher.Renamed += (_, _) => ThreadPool.UnsafeQueueUserWorkItem(_ => Look(), null);
            watcher.Error += (_, e) => LogWatcherError(dir, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, for example: the poll still finds every publish.
            LogWatcherError(dir, e.Message);
        }
    }

    /// <summary>(4) One look at the volume; true when a set is served afterwards. Looks never overlap: one that
    /// arrives during another makes that one look again.</summary>
    private bool Look()
    {
        if (Interlocked.Exchange(ref _looking, 1) == 1)
        {
            Interlocked.Exchange(ref _again, 1);
            return _current is not null;
        }
        try
        {
            do
            {
                Interlocked.Exchange(ref _again, 0);
                LookOnce();
            } while (Interlocked.Exchange(ref _again, 0) == 1);
        }
        finally
        {
            Interlocked.Exchange(ref _looking, 0);
        }
        return _current is not null;
    }

    private void LookOnce()
    {
        var dir = options.Directory;
        string stamp;
        try
        {
            stamp = CertificateSetReader.Stamp(dir);
        }
        catch (Exception e)
        {
            Failed(dir, e.Message);
            return;
        }
        // A generation that failed is read again at the next look: a failure may pass (a file system that answered
        // late), and a look costs a few small reads. Its log line is not repeated (Failed).
        if (stamp == _current?.Stamp)
        {
            return;
        }
        try
        {
            var set = CertificateSetReader.Read(dir, options.PfxPassword, DateTimeOffset.UtcNow);
            var previous = _current;
            lock (_gate)
            {
                _current = set;
                _lastError = null;
            }
            LogServing(set.Leaf.Subject, set.Sha256, set.Leaf.NotAfter.ToUniversalTime(), set.Intermediates.Count,
                Path.Combine(dir, set.Generation ?? ""), previous?.Sha256 ?? "none");
            if (_watcher is null)
            {
                Watch(dir);
            }
        }
        catch (Exception e)
        {
            // Whatever fails while reading a set (a check, the file system, the platform's crypto), the served set
            // stays and the app keeps running: the look runs on a timer thread, where an exception would end it.
            Failed(dir, e is SetUnusableException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void Failed(string dir, string why)
    {
        lock (_gate)
        {
            var repeat = _lastError == why;
            _lastError = why;
            if (repeat)
            {
                return;
            }
        }
        if (_current is { } served)
        {
            LogKept(served.Sha256, dir, why);
        }
        else
        {
            LogWaiting(dir, why);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _poll?.Dispose();
        _watcher?.Dispose();
    }

    [LoggerMessage(1, LogLevel.Information,
        "serving {Subject}, sha256 {Sha256}, expires {NotAfter:u}, {Intermediates} intermediate(s), " +
        "from {Path} (was {Previous})")]
    private partial void LogServing(
        string subject, string sha256, DateTime notAfter, int intermediates, string path, string previous);

    [LoggerMessage(2, LogLevel.Warning, "kept serving sha256 {Sha256}: the set in {Dir} was not loaded: {Why}")]
    private partial void LogKept(string sha256, string dir, string why);

    [LoggerMessage(3, LogLevel.Information, "waiting for a certificate set in {Dir}: {Why}")]
    private partial void LogWaiting(string dir, string why);

    [LoggerMessage(5, LogLevel.Warning,
        "no file events from {Dir} ({Why}); publishes are found by the poll instead, " +
        "within KestrelCertSidecar:PollInterval")]
    private partial void LogWatcherError(string dir, string why);
}
