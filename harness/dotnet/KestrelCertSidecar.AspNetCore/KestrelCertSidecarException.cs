namespace KestrelCertSidecar.AspNetCore;

/// <summary>The app stopped at start because the volume held no valid certificate set in time (fail closed).
/// Its message names the volume, the cause and the fix.</summary>
public sealed class KestrelCertSidecarException : Exception
{
    /// <summary>Creates the exception with the message a person reads.</summary>
    public KestrelCertSidecarException(string message) : base(message)
    {
    }
}
