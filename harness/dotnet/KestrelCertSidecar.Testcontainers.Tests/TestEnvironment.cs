namespace KestrelCertSidecar.Testcontainers.Tests;

/// <summary>What the tests run against, from the variables test/integration/dotnet-harness.test.ts sets.</summary>
internal static class TestEnvironment
{
    /// <summary>The sidecar image (built locally from the repository's Dockerfile).</summary>
    public static string SidecarImage =>
        Environment.GetEnvironmentVariable("KCS_TEST_IMAGE") ?? KestrelCertsBuilder.DefaultImage;

    /// <summary>
    /// An ASP.NET Core runtime image with the app user 1654 (the official one, or the local stand-in).
    /// </summary>
    public static string AspNetImage => Required("KCS_TEST_ASPNET_IMAGE");

    /// <summary>
    /// The built examples/api app (Api.dll): serves "hello from $APP_NAME" and calls other services on /call.
    /// </summary>
    public static string AppDirectory => Required("KCS_TEST_APP_DIR");

    /// <summary>test/fixtures/files of the repository.</summary>
    public static string Fixtures => Required("KCS_TEST_FIXTURES");

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException(
            $"{name} is not set: run these tests through `npm run test:dotnet` in the repository, which builds the "
            + "images and sets it");
}
