// Serves HTTPS with whatever certificate Kestrel is pointed at, and calls another service over
// HTTPS on /call, trusting only what SSL_CERT_FILE / SSL_CERT_DIR say.
var builder = WebApplication.CreateBuilder(args);
var certs = builder.Configuration["KestrelCertSidecar:Directory"];
#if KCS_COMPANION
// The companion: every HTTPS endpoint (ASPNETCORE_HTTPS_PORTS included) serves the sidecar's set and reloads it
// within a second of each publish (docs/rotation.md). An app of yours writes the one line unconditionally,
// builder.WebHost.UseKestrelCertSidecar("/https"); this one is also the Kestrel of every other configuration
// form the tests run, so it turns the companion on only where KestrelCertSidecar__Directory is set.
if (!string.IsNullOrEmpty(certs))
    builder.WebHost.UseKestrelCertSidecar(certs);
#else
if (!string.IsNullOrEmpty(certs))
    throw new InvalidOperationException(
        "KestrelCertSidecar__Directory is set, but this build of the example has no companion: " +
        "build it from the repository root");
#endif
var app = builder.Build();
var name = Environment.GetEnvironmentVariable("APP_NAME") ?? "kestrel-app";
app.MapGet("/", () => $"hello from {name}");
#if KCS_COMPANION
// For the app's own health checks: what is served right now.
app.MapGet("/certificate", (HttpContext http) =>
    http.RequestServices.GetService<KestrelCertSidecar.AspNetCore.IKestrelCertSidecarState>() is { } state
        ? Results.Json(new { state.Sha256, state.NotAfter, state.Intermediates, state.Generation })
        : Results.NotFound());
#endif
app.MapGet("/call", async (string url) =>
{
    using var client = new HttpClient();
    try
    {
        return Results.Text(await client.GetStringAsync(url));
    }
    catch (HttpRequestException e)
    {
        return Results.Problem($"{e.Message} {e.InnerException?.Message}", statusCode: 502);
    }
});
app.Run();
