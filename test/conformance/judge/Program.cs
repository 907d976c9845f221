// The conformance matrix's .NET side (test/conformance/matrix.test.ts runs it):
//   serve          reads cases (JSON lines) on stdin, starts one Kestrel per case on 127.0.0.1:0 in
//                  this process, prints {"id","port"} or {"id","error"} for each, and stops them all
//                  when stdin closes. Modes: pem-urls, pem-config, pfx-urls, dev.
//   get URL HOST   an HttpClient GET with the machine's default trust (the caller sets SSL_CERT_FILE);
//                  prints "ok <sha256 of the served leaf>" or "fail <why>".
//   getmany        reads {"id","port","anchor"} lines on stdin, and for each an HttpClient GET of
//                  https://localhost:PORT/ trusting only the PEM file `anchor` (X509ChainPolicy with
//                  CustomRootTrust: one process judges many anchors, where SSL_CERT_FILE is one per
//                  process); prints {"id","ok","error"} per line. The generator uses it.
//   produce DIR    PKCS#12 files the way .NET writes them: ExportPkcs12 with Pbes2Aes256Sha256 and
//                  Pkcs12TripleDesSha1, RSA and ECDSA, and X509Certificate2.Export(Pfx).
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

switch (args.FirstOrDefault())
{
    case "serve": await Serve(); return 0;
    case "get": return await Get(args[1], args[2]);
    case "getmany": await GetMany(); return 0;
    case "produce": Produce(args[1]); return 0;
    default: Console.Error.WriteLine("usage: Judge serve | get URL HOST | getmany | produce DIR"); return 2;
}

static async Task Serve()
{
    var apps = new List<WebApplication>();
    string? line;
    var cases = new List<JsonElement>();
    while ((line = Console.ReadLine()) != null && line != "") cases.Add(JsonDocument.Parse(line).RootElement);
    foreach (var c in cases)
    {
        var id = c.GetProperty("id").GetString()!;
        string? Opt(string name) =>
            c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var mode = Opt("mode")!;
        try
        {
            // The development-certificate lookup reads APPDATA when it loads the configuration.
            Environment.SetEnvironmentVariable("APPDATA", Opt("appdata"));
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                EnvironmentName = mode == "dev" ? "Development" : "Production",
                ApplicationName = "Api",
                Args = [],
            });
            builder.Logging.ClearProviders();
            var cfg = new Dictionary<string, string?>();
            var prefix = "Kestrel:Certificates:Default:";
            if (mode == "pem-config") cfg["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0";
            else builder.WebHost.UseUrls("https://127.0.0.1:0");
            if (mode == "dev") cfg["Kestrel:Certificates:Development:Password"] = Opt("password");
            else
            {
                cfg[prefix + "Path"] = Opt("path");
                if (Opt("keyPath") is { } k) cfg[prefix + "KeyPath"] = k;
                if (Opt("password") is { } p) cfg[prefix + "Password"] = p;
            }
            builder.Configuration.AddInMemoryCollection(cfg);
            var app = builder.Build();
            app.MapGet("/", () => "hello from the judge");
            await app.StartAsync();
            apps.Add(app);
            var address = app.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!
                .Addresses.First();
            Console.WriteLine(JsonSerializer.Serialize(new { id, port = new Uri(address).Port }));
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner.InnerException != null && inner is AggregateException) inner = inner.InnerException;
            var error = $"{inner.GetType().FullName}: {inner.Message.Split('\n')[0]}";
            Console.WriteLine(JsonSerializer.Serialize(new { id, error }));
        }
    }
    Console.WriteLine("{\"ready\":true}");
    Console.Out.Flush();
    while (Console.ReadLine() != null) { }
    foreach (var app in apps) await app.StopAsync(TimeSpan.FromSeconds(1));
}

static async Task<int> Get(string url, string host)
{
    string? served = null;
    var policy = SslPolicyErrors.None;
    var handler = new SocketsHttpHandler
    {
        // The served leaf is recorded; the decision stays the platform's (sslPolicyErrors).
        SslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (cert != null) served = Convert.ToHexString(SHA256.HashData(cert.GetRawCertData()));
                policy = errors;
                return errors == SslPolicyErrors.None;
            },
        },
        ConnectCallback = async (ctx, ct) =>
        {
            var s = new System.Net.Sockets.Socket(
                System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await s.ConnectAsync("127.0.0.1", ctx.DnsEndPoint.Port, ct);
            return new System.Net.Sockets.NetworkStream(s, true);
        },
    };
    using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    try
    {
        var body = await client.GetStringAsync(url);
        Console.WriteLine($"ok {served}");
        return 0;
    }
    catch (Exception e)
    {
        var inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        Console.WriteLine(policy != SslPolicyErrors.None ? $"fail {policy}" : $"fail {inner.Message.Split('\n')[0]}");
        return 1;
    }
}

static async Task GetMany()
{
    string? line;
    while ((line = Console.ReadLine()) != null && line != "")
    {
        var req = JsonDocument.Parse(line).RootElement;
        var id = req.GetProperty("id").GetString();
        var port = req.GetProperty("port").GetInt32();
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(req.GetProperty("anchor").GetString()!);
        var chainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chainPolicy.CustomTrustStore.AddRange(anchors);
        var policy = SslPolicyErrors.None;
        var status = "";
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                CertificateChainPolicy = chainPolicy,
                // The decision stays the platform's (sslPolicyErrors); the chain's status says why.
                RemoteCertificateValidationCallback = (_, _, chain, errors) =>
                {
                    policy = errors;
                    status = string.Join(",", chain?.ChainStatus.Select(s => s.Status.ToString()) ?? []);
                    return errors == SslPolicyErrors.None;
                },
            },
            ConnectCallback = async (ctx, ct) =>
            {
                var s = new System.Net.Sockets.Socket(
                    System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await s.ConnectAsync("127.0.0.1", ctx.DnsEndPoint.Port, ct);
                return new System.Net.Sockets.NetworkStream(s, true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await client.GetStringAsync($"https://localhost:{port}/");
            Console.WriteLine(JsonSerializer.Serialize(new { id, ok = true }));
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner.InnerException != null) inner = inner.InnerException;
            var why = policy != SslPolicyErrors.None ? $"{policy} {status}".Trim() : inner.Message.Split('\n')[0];
            Console.WriteLine(JsonSerializer.Serialize(new { id, ok = false, error = why }));
        }
    }
}

static void Produce(string dir)
{
    Directory.CreateDirectory(dir);
    X509Certificate2 Make(AsymmetricAlgorithm key)
    {
        var req = key is RSA rsa
            ? new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=localhost", (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(60));
    }
    using var rsaKey = RSA.Create(2048);
    using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var rsaCert = Make(rsaKey);
    var ecCert = Make(ecKey);
    var aes = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 2000);
    File.WriteAllBytes(
        Path.Combine(dir, "dotnet-rsa-aes.pfx"),
        rsaCert.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "judge-pw"));
    File.WriteAllBytes(
        Path.Combine(dir, "dotnet-ecdsa-aes.pfx"),
        ecCert.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "judge-pw"));
    File.WriteAllBytes(
        Path.Combine(dir, "dotnet-rsa-3des.pfx"),
        rsaCert.ExportPkcs12(Pkcs12ExportPbeParameters.Pkcs12TripleDesSha1, "judge-pw"));
    File.WriteAllBytes(Path.Combine(dir, "dotnet-rsa-export.pfx"), rsaCert.Export(X509ContentType.Pfx, "judge-pw"));
}
