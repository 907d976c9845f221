using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Xunit;

namespace KestrelCertSidecar.Testcontainers.Tests;

/// <summary>One published set for the class: the sidecar runs once, as a test suite would use it.</summary>
public sealed class GeneratedCertsFixture : IAsyncLifetime
{
    public KestrelCertsContainer Certs { get; } = new KestrelCertsBuilder()
        .WithImage(TestEnvironment.SidecarImage)
        .WithHostnames("api", "web", "localhost")
        .Build();

    public Task InitializeAsync() => Certs.StartAsync();

    public async Task DisposeAsync() => await Certs.DisposeAsync();
}

public sealed class GeneratedCertsTests(GeneratedCertsFixture fixture)
    : IClassFixture<GeneratedCertsFixture>, IAsyncLifetime
{
    private const int Port = 8443;
    private readonly INetwork _network = new NetworkBuilder().WithName($"kcs-dotnet-{Guid.NewGuid():N}").Build();
    private readonly List<IContainer> _apps = [];

    public Task InitializeAsync() => _network.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync();
        await _network.DisposeAsync();
    }

    private async Task<IContainer> StartApp(string alias)
    {
        var app = new ContainerBuilder(TestEnvironment.AspNetImage)
            .WithKestrelCerts(fixture.Certs)
            .WithNetwork(_network)
            .WithNetworkAliases(alias)
            .WithBindMount(
                TestEnvironment.AppDirectory, "/app", DotNet.Testcontainers.Configurations.AccessMode.ReadOnly)
            .WithEntrypoint("dotnet", "/app/Api.dll")
            .WithEnvironment("ASPNETCORE_URLS", $"https://+:{Port}")
            .WithEnvironment("APP_NAME", alias)
            .WithCreateParameterModifier(p => p.User = "1654:1654")
            .WithPortBinding(Port, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("Application started"))
            .Build();
        _apps.Add(app);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public void Publishes_for_the_names_asked_with_the_Kestrel_variables_at_the_mount_path()
    {
        var certs = fixture.Certs;
        Assert.Equal(["api", "web", "localhost"], certs.Manifest.Sans);
        Assert.Equal("generated", certs.Manifest.SourceKind);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["ASPNETCORE_Kestrel__Certificates__Default__KeyPath"] = "/https/tls.key",
                ["ASPNETCORE_Kestrel__Certificates__Default__Path"] = "/https/tls.crt",
            },
            certs.KestrelEnvironment);
        Assert.StartsWith("kestrel-certs-", certs.VolumeName);
        Assert.False(certs.IsHostDirectory);
        Assert.Equal("/https/trust/ca-bundle.crt", certs.TrustBundlePath);
        Assert.Contains("CN=kestrel-cert-sidecar development CA", certs.CaCertificate.Subject);
        Assert.Equal(certs.CaCertificate.Subject, certs.CaCertificate.Issuer);
        Assert.Matches(
            "^published \\.\\.\\d{4}_",
            certs.Logs.Split('\n').First(l => l.StartsWith("published", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task One_service_calls_another_by_its_name_over_HTTPS_trusting_the_CA_through_SSL_CERT_FILE()
    {
        await StartApp("api");
        var web = await StartApp("web");
        using var client = new HttpClient(fixture.Certs.CreateHttpClientHandler());
        var url = $"https://localhost:{web.GetMappedPublicPort(Port)}";

        Assert.Equal("hello from web", await client.GetStringAsync($"{url}/"));
        // web's own HttpClient uses the machine defaults: it trusts api only through SSL_CERT_FILE.
        var call = await client.GetAsync($"{url}/call?url={Uri.EscapeDataString($"https://api:{Port}/")}");
        Assert.Equal(
            (HttpStatusCode.OK, "hello from api"), (call.StatusCode, await call.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task The_handler_trusts_exactly_the_CA_and_still_checks_the_name()
    {
        var web = await StartApp("web");
        var port = web.GetMappedPublicPort(Port);
        using (var trusting = new HttpClient(fixture.Certs.CreateSocketsHttpHandler()))
        {
            Assert.Equal("hello from web", await trusting.GetStringAsync($"https://localhost:{port}/"));
        }

        // The machine's own store does not hold the CA: a default client refuses the app.
        using (var machine = new HttpClient())
        {
            var e = await Assert.ThrowsAsync<HttpRequestException>(
                () => machine.GetStringAsync($"https://localhost:{port}/"));
            Assert.IsType<AuthenticationException>(e.InnerException);
        }

        // 127.0.0.1 is not among the names: the handler refuses it although the chain is good.
        using (var byAddress = new HttpClient(fixture.Certs.CreateHttpClientHandler()))
        {
            var e = await Assert.ThrowsAsync<HttpRequestException>(
                () => byAddress.GetStringAsync($"https://127.0.0.1:{port}/"));
            Assert.IsType<AuthenticationException>(e.InnerException);
        }

        // Another CA's handler refuses it: the trust is the CA's, not a bypass.
        await using var other = new KestrelCertsBuilder()
            .WithImage(TestEnvironment.SidecarImage)
            .WithHostnames("localhost")
            .Build();
        await other.StartAsync();
        Assert.NotEqual(fixture.Certs.CaCertificate.Thumbprint, other.CaCertificate.Thumbprint);
        using (var stranger = new HttpClient(other.CreateHttpClientHandler()))
        {
            var e = await Assert.ThrowsAsync<HttpRequestException>(
                () => stranger.GetStringAsync($"https://localhost:{port}/"));
            Assert.IsType<AuthenticationException>(e.InnerException);
        }
    }
}

public sealed class SourceTests
{
    private const string Password = "fixture-Pa55";

    private static string Fixture(string name) => Path.Combine(TestEnvironment.Fixtures, name);

    [Fact]
    public async Task A_PFX_source_with_its_password_is_published()
    {
        await using var certs = new KestrelCertsBuilder()
            .WithImage(TestEnvironment.SidecarImage)
            .WithSource(Fixture("openssl3-default.pfx"), Password)
            .Build();
        await certs.StartAsync();
        using var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Fixture("rsa2048.crt")));
        Assert.Equal(
            leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
            certs.Manifest.Sha256.Replace(":", ""));
        Assert.Equal("pfx", certs.Manifest.SourceKind);
    }

    [Fact]
    public async Task A_wrong_password_throws_with_PASSWORD_WRONG_and_the_fix()
    {
        await using var certs = new KestrelCertsBuilder()
            .WithImage(TestEnvironment.SidecarImage)
            .WithSource(Fixture("openssl3-default.pfx"), "not-the-password")
            .Build();
        var e = await Assert.ThrowsAsync<KestrelCertsException>(() => certs.StartAsync());
        Assert.Equal(4, e.ExitCode);
        Assert.Equal(["PASSWORD_WRONG"], e.Findings);
        Assert.Contains(
            "PASSWORD_WRONG cannot open /certs/openssl3-default.pfx: the password does not match", e.Message);
        Assert.Contains("fix: set KCS_PASSWORD_FILE", e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
        Assert.Throws<InvalidOperationException>(() => certs.Manifest);
    }

    [Fact]
    public void The_builder_refuses_what_it_owns_and_what_does_not_exist()
    {
        Assert.Throws<ArgumentException>(() => new KestrelCertsBuilder().WithEnvironment("KCS_OUTPUT", "/elsewhere"));
        Assert.Throws<ArgumentException>(() => new KestrelCertsBuilder().WithSource(Fixture("no-such-file.pfx")));
        Assert.Throws<ArgumentException>(
            () => new KestrelCertsBuilder().WithOutputDirectory(Path.GetTempPath(), mountPath: "relative"));
        Assert.Throws<ArgumentException>(() => new KestrelCertsBuilder().WithHostnames("a,b"));
        var first = new KestrelCertsBuilder().WithHostnames("a");
        var second = first.WithHostnames("b");
        Assert.NotSame(first, second);
        Assert.StartsWith("kestrel-cert-sidecar:", KestrelCertsBuilder.DefaultImage);
    }
}
