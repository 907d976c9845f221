using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace KestrelCertSidecar.AspNetCore;

/// <summary>A set the volume held, read whole from one generation, checked, and ready to serve.</summary>
internal sealed class CertificateSet
{
    public required X509Certificate2 Leaf { get; init; }
    public required X509Certificate2Collection Intermediates { get; init; }
    /// <summary>What every handshake is given: the leaf, its key and its intermediates, built once per set.</summary>
    public required SslStreamCertificateContext Context { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>The target of <c>..data</c>, or null on a volume without one.</summary>
    public string? Generation { get; init; }
    /// <summary>What identifies this set on the volume: the generation, else the files' sizes and times.</summary>
    public required string Stamp { get; init; }
    public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;
}

/// <summary>Why a set was not loaded: a message for a person, naming the file and the cause.</summary>
internal sealed class SetUnusableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads the set the sidecar published. The sidecar writes each generation into its own directory and makes it
/// live with one rename of the <c>..data</c> symlink (the Kubernetes AtomicWriter's scheme); the top-level names
/// (<c>tls.crt</c>, <c>tls.key</c>, ...) are links through <c>..data</c>. Reading <c>tls.crt</c> and then
/// <c>tls.key</c> through those links could pair the certificate of one generation with the key of the next when
/// a publish lands in between, so this resolves <c>..data</c> once and reads every file from that generation.
/// </summary>
internal static class CertificateSetReader
{
    /// <summary>No file of a set comes near this: a 16k-bit RSA key is about 12 kB, and Kubernetes caps a whole
    /// secret at 1 MiB. A bigger file is not a certificate set.</summary>
    private const int MaxFileBytes = 1 << 20;

    private const string DataLink = "..data";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>The generation <c>..data</c> points at, or null when the volume has no <c>..data</c>.</summary>
    public static string? LiveGeneration(string dir)
    {
        var link = new FileInfo(Path.Combine(dir, DataLink));
        if (link.LinkTarget is not { } target)
        {
            return null;
        }
        // The sidecar and the kubelet both write a bare sibling name (..2026_11_26_12_00_00.123456).
        if (target.Contains('/') || target.Contains('\\') || !target.StartsWith("..", StringComparison.Ordinal)
            || target == "..")
        {
            throw new SetUnusableException(
                $"{link.FullName} points at `{target}`, which is not a generation directory beside it");
        }
        return target;
    }

    /// <summary>A stamp that changes when the set does: the generation, else the files' sizes and write
    /// times.</summary>
    public static string Stamp(string dir)
    {
        if (LiveGeneration(dir) is { } generation)
        {
            return generation;
        }
        return string.Join('|', new[] { "tls.crt", "tls.key", "cert.pfx" }.Select(name =>
        {
            var f = new FileInfo(Path.Combine(dir, name));
            return f.Exists ? $"{name}:{f.Length}:{f.LastWriteTimeUtc.Ticks}" : $"{name}:-";
        }));
    }

    public static CertificateSet Read(string dir, string? pfxPassword, DateTimeOffset now)
    {
        if (!Directory.Exists(dir))
        {
            throw new SetUnusableException($"{dir} does not exist (the volume is not mounted there)");
        }
        var generation = LiveGeneration(dir);
        string[] names = ["tls.crt", "tls.key", "cert.pfx"];
        if (generation is null && !names.Any(f => File.Exists(Path.Combine(dir, f))))
        {
            throw new SetUnusableException("nothing was published there yet");
        }
        var root = generation is null ? dir : Path.Combine(dir, generation);
        var manifest = ReadManifest(root, generation);

        var (leaf, intermediates) = File.Exists(Path.Combine(root, "tls.key"))
            ? ReadPem(root)
            : ReadPfx(root, pfxPassword);

        CheckServable(leaf, root, now);
        var sha256 = Fingerprint(leaf);
        if (manifest is not null && !string.Equals(manifest, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new SetUnusableException(
                $"{Path.Combine(root, "manifest.json")} names sha256 {manifest}, but the certificate there is " +
                $"{sha256} (a torn or hand-edited set)");
        }
        // offline: the chain is what the volume holds; nothing is fetched from the network during a reload.
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new CertificateSet
        {
            Leaf = leaf,
            Intermediates = intermediates,
            Context = context,
            Sha256 = sha256,
            Generation = generation,
            Stamp = generation ?? Stamp(dir),
        };
    }

    /// <summary>SHA-256 of the certificate as the sidecar writes it: upper-case hex pairs joined by colons.</summary>
    public static string Fingerprint(X509Certificate2 cert) =>
        string.Join(':', cert.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2")));

    /// <summary>The leaf's fingerprint named by manifest.json, when the generation has one (a Kubernetes TLS
    /// secret does not); the manifest must name the generation it sits in.</summary>
    private static string? ReadManifest(string root, string? generation)
    {
        var path = Path.Combine(root, "manifest.json");
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(ReadBounded(path));
            var named = doc.RootElement.TryGetProperty("generation", out var g) ? g.GetString() : null;
            if (generation is not null && named is not null && named != generation)
            {
                throw new SetUnusableException($"{path} belongs to generation {named}, not {generation}");
            }
            return doc.RootElement.TryGetProperty("sha256", out var s) ? s.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new SetUnusableException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static (X509Certificate2, X509Certificate2Collection) ReadPem(string root)
    {
        var crtPath = Path.Combine(root, "tls.crt");
        var keyPath = Path.Combine(root, "tls.key");
        var crt = System.Text.Encoding.ASCII.GetString(ReadBounded(crtPath));
        var key = System.Text.Encoding.ASCII.GetString(ReadBounded(keyPath));
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            // tls.crt is the leaf, then its intermediates (the sidecar's layout, and cert-manager's).
            chain.ImportFromPem(crt);
            // CreateFromPem pairs the first certificate with the key, and refuses a key of another certificate.
            leaf = X509Certificate2.CreateFromPem(crt, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: no PEM block at all (an empty or half-written file).
            throw new SetUnusableException(
                $"{crtPath} and {keyPath} do not make a certificate with its key: {e.Message}", e);
        }
        chain.RemoveAt(0);
        return (Persist(leaf), chain);
    }

    private static (X509Certificate2, X509Certificate2Collection) ReadPfx(string root, string? password)
    {
        var pfxPath = Path.Combine(root, "cert.pfx");
        if (!File.Exists(pfxPath))
        {
            throw new SetUnusableException($"{root} holds neither tls.crt with tls.key nor cert.pfx");
        }
        var passwordPath = Path.Combine(root, "cert.password");
        password ??= File.Exists(passwordPath) ? System.Text.Encoding.UTF8.GetString(ReadBounded(passwordPath)) : null;
        if (password is null)
        {
            throw new SetUnusableException($"{pfxPath} needs a password: set KestrelCertSidecar__PfxPassword");
        }
        X509Certificate2Collection all;
        try
        {
#if NET9_0_OR_GREATER
            all = X509CertificateLoader.LoadPkcs12Collection(
                ReadBounded(pfxPath), password, X509KeyStorageFlags.EphemeralKeySet);
#else
            all = new X509Certificate2Collection();
            all.Import(ReadBounded(pfxPath), password, X509KeyStorageFlags.EphemeralKeySet);
#endif
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new SetUnusableException($"{pfxPath} cannot be opened: {e.Message}", e);
        }
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new SetUnusableException($"{pfxPath} holds no private key");
        var chain = new X509Certificate2Collection();
        foreach (var c in all)
        {
            // The anchor is the client's to hold: a self-signed CA is not sent.
            var selfSigned = c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);
            if (!ReferenceEquals(c, leaf) && !selfSigned)
            {
                chain.Add(c);
            }
        }
        return (Persist(leaf), chain);
    }

    /// <summary>What Kestrel itself refuses for a server certificate (HttpsConnectionMiddleware's
    /// EnsureCertificateIsAllowedForServerAuth: an EKU without serverAuth), and what no client accepts.</summary>
    private static void CheckServable(X509Certificate2 leaf, string root, DateTimeOffset now)
    {
        if (!leaf.HasPrivateKey)
        {
            throw new SetUnusableException($"the certificate in {root} comes without its private key");
        }
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is not null && !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuthOid))
        {
            throw new SetUnusableException(
                $"the certificate in {root} is not for server authentication (its EKU lacks serverAuth)");
        }
        if (leaf.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            throw new SetUnusableException($"the certificate in {root} expired at {leaf.NotAfter.ToUniversalTime():u}");
        }
    }

    /// <summary>On Windows, SChannel needs a key that lives in a key store: a key read from PEM is ephemeral, so
    /// it goes through a PKCS#12 round trip there. Elsewhere (OpenSSL) the ephemeral key serves as it is.</summary>
    private static X509Certificate2 Persist(X509Certificate2 cert)
    {
        if (!OperatingSystem.IsWindows())
        {
            return cert;
        }
        var pfx = cert.Export(X509ContentType.Pkcs12);
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12(pfx, null);
#else
        return new X509Certificate2(pfx);
#endif
    }

    private static byte[] ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                throw new SetUnusableException(
                    $"{path} is {stream.Length} bytes, more than any certificate set holds ({MaxFileBytes})");
            }
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SetUnusableException($"{path} cannot be read: {e.Message}", e);
        }
    }
}
