using System.Text.RegularExpressions;

namespace KestrelCertSidecar.Testcontainers;

/// <summary>
/// The sidecar refused its input: the message holds its findings as it printed them (code, file, cause, fix).
/// The sidecar never prints a password or a key, so neither is here.
/// </summary>
public sealed partial class KestrelCertsException : Exception
{
    internal KestrelCertsException(long exitCode, string logs)
        : base(
            $"kestrel-cert-sidecar init exited with {exitCode} ({Meaning(exitCode)}):"
            + $"{Environment.NewLine}{logs.Trim()}")
    {
        ExitCode = exitCode;
        Logs = logs;
        Findings = FindingLine().Matches(logs).Select(m => m.Groups[1].Value).Distinct().ToArray();
    }

    /// <summary>
    /// The exit code of <c>init</c>: 2 configuration, 3 source unreadable, 4 invalid material, 5 cannot publish.
    /// </summary>
    public long ExitCode { get; }

    /// <summary>The finding codes the sidecar reported, for example <c>PASSWORD_WRONG</c>.</summary>
    public IReadOnlyList<string> Findings { get; }

    /// <summary>Everything the sidecar printed.</summary>
    public string Logs { get; }

    private static string Meaning(long code) => code switch
    {
        1 => "an internal error",
        2 => "the configuration is invalid",
        3 => "the source cannot be read",
        4 => "the certificate material is invalid",
        5 => "the output cannot be published",
        _ => "see the log",
    };

    [GeneratedRegex(@"^([A-Z][A-Z0-9_]+) ", RegexOptions.Multiline)]
    private static partial Regex FindingLine();
}
