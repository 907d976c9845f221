using System.Text.Json;
using System.Text.Json.Serialization;

namespace KestrelCertSidecar.Testcontainers;

/// <summary>The published <c>manifest.json</c>: what the app will serve. It holds no secret.</summary>
public sealed record KestrelCertsManifest
{
    /// <summary>The generation directory that is live, e.g. <c>..2026_11_27_15_02_48.415000</c>.</summary>
    public string Generation { get; init; } = "";

    /// <summary>
    /// SHA-256 fingerprint of the leaf certificate, colon-separated upper-case hex (as
    /// <c>X509Certificate2.GetCertHashString(HashAlgorithmName.SHA256)</c> without colons).
    /// </summary>
    public string Sha256 { get; init; } = "";

    /// <summary>The leaf's subject, e.g. <c>CN=localhost</c>.</summary>
    public string Subject { get; init; } = "";

    /// <summary>The leaf's issuer.</summary>
    public string Issuer { get; init; } = "";

    /// <summary>The names the leaf covers (DNS names and IP addresses).</summary>
    public IReadOnlyList<string> Sans { get; init; } = [];

    /// <summary>Start of the leaf's validity.</summary>
    public DateTimeOffset NotBefore { get; init; }

    /// <summary>End of the leaf's validity.</summary>
    public DateTimeOffset NotAfter { get; init; }

    /// <summary>The key, e.g. <c>RSA 2048</c> or <c>ECDSA P-256</c>.</summary>
    public string Key { get; init; } = "";

    /// <summary>The published files, relative to the mount path.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Where the material came from: <c>generated</c>, or the kind of source that was published.</summary>
    [JsonIgnore]
    public string SourceKind => Source.TryGetProperty("kind", out var kind) ? kind.GetString() ?? "" : "";

    /// <summary>The manifest's <c>source</c> object as published.</summary>
    public JsonElement Source { get; init; }

    /// <summary>The manifest's <c>kestrel</c> object as published (format, mount path, PFX profile).</summary>
    public JsonElement Kestrel { get; init; }
}

/// <summary>
/// Source-generated reading of the manifest, so the library works in trimmed and AOT apps (.NET 10 file-based apps
/// are).
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(KestrelCertsManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
