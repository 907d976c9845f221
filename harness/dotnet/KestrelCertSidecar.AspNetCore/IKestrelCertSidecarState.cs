namespace KestrelCertSidecar.AspNetCore;

/// <summary>
/// The certificate Kestrel serves right now, for the app's own health checks and logs. Registered in
/// dependency injection by <c>UseKestrelCertSidecar</c>. It holds no secret.
/// </summary>
public interface IKestrelCertSidecarState
{
    /// <summary>Whether a valid set is loaded and served.</summary>
    bool IsServing { get; }

    /// <summary>SHA-256 fingerprint of the served leaf, colon-separated upper-case hex, as the sidecar's
    /// <c>manifest.json</c> and its <c>init</c> output write it.</summary>
    string? Sha256 { get; }

    /// <summary>The served leaf's SHA-1 thumbprint (.NET's <c>X509Certificate2.Thumbprint</c>).</summary>
    string? Thumbprint { get; }

    /// <summary>The served leaf's subject.</summary>
    string? Subject { get; }

    /// <summary>The end of the served leaf's validity.</summary>
    DateTimeOffset? NotAfter { get; }

    /// <summary>How many intermediates are served after the leaf.</summary>
    int Intermediates { get; }

    /// <summary>The generation directory it was read from (the target of <c>..data</c>), when the volume has
    /// one.</summary>
    string? Generation { get; }

    /// <summary>When the served set was loaded.</summary>
    DateTimeOffset? LoadedAt { get; }

    /// <summary>Why the latest look at the volume did not load a newer set, or null when it did (or nothing changed).
    /// The last good set keeps being served meanwhile.</summary>
    string? LastError { get; }
}
