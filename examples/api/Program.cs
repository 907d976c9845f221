// Serves HTTPS with whatever certificate Kestrel is pointed at, and calls another service over
// HTTPS on /call, trusting only what SSL_CERT_FILE / SSL_CERT_DIR say.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
var name = Environment.GetEnvironmentVariable("APP_NAME") ?? "kestrel-app";
app.MapGet("/", () => $"hello from {name}");
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
