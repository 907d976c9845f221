using System.Globalization;
using KestrelCertSidecar.AspNetCore;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// In the namespace of IWebHostBuilder, so the one line in Program.cs needs no using.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>The one line: <c>builder.WebHost.UseKestrelCertSidecar("/https");</c></summary>
public static class KestrelCertSidecarWebHostBuilderExtensions
{
    /// <summary>
    /// Serves the certificate set kestrel-cert-sidecar publishes in <paramref name="directory"/> on every HTTPS
    /// endpoint of Kestrel: those from <c>ASPNETCORE_HTTPS_PORTS</c> and <c>ASPNETCORE_URLS</c>, those declared in
    /// configuration and those made in code. It serves the intermediates with the leaf, loads each new publish
    /// within a second, keeps the last good set when a publish cannot be read, waits for the first set at start
    /// (<see cref="KestrelCertSidecarOptions.StartupTimeout"/>) and stops the app when none comes. The served
    /// certificate is <see cref="IKestrelCertSidecarState"/> in dependency injection.
    /// </summary>
    /// <param name="builder">The app's web host builder (<c>builder.WebHost</c>).</param>
    /// <param name="directory">Where the app sees the sidecar's volume, e.g. <c>/https</c>; configuration key
    /// <c>KestrelCertSidecar:Directory</c> overrides it.</param>
    /// <param name="configure">Runs after configuration is read, and wins.</param>
    /// <remarks>It sets Kestrel's HTTPS defaults (<c>ConfigureHttpsDefaults</c>), which Kestrel keeps one of: a
    /// later <c>ConfigureHttpsDefaults</c> of the app replaces it. Endpoints given their own
    /// <c>TlsHandshakeCallbackOptions</c> keep their own certificates. Kestrel refuses the <c>OnAuthenticate</c>
    /// callback it
    /// sets on an endpoint with HTTP/3 enabled (<c>HttpsConnectionMiddleware.CreateHttp3Options</c>): HTTP/1.1 and
    /// HTTP/2
    /// only, Kestrel's default.</remarks>
    public static IWebHostBuilder UseKestrelCertSidecar(
        this IWebHostBuilder builder,
        string directory,
        Action<KestrelCertSidecarOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureServices((context, services) =>
        {
            var options = Read(context.Configuration.GetSection(KestrelCertSidecarOptions.SectionName), directory);
            configure?.Invoke(options);
            if (string.IsNullOrWhiteSpace(options.Directory))
            {
                throw new ArgumentException(
                    "UseKestrelCertSidecar needs the directory the sidecar's volume is mounted at, e.g. \"/https\"",
                    nameof(directory));
            }
            options.Directory = Path.GetFullPath(options.Directory, context.HostingEnvironment.ContentRootPath);
            if (options.PollInterval <= TimeSpan.Zero)
            {
                options.PollInterval = TimeSpan.FromSeconds(1);
            }
            services.AddSingleton(options);
            services.AddSingleton<CertificateMonitor>();
            services.AddSingleton<IKestrelCertSidecarState>(sp => sp.GetRequiredService<CertificateMonitor>());
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<CertificateMonitor>());
            services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ServeFromSidecar>();
        });
        return builder;
    }

    private static KestrelCertSidecarOptions Read(IConfiguration section, string directory)
    {
        return new KestrelCertSidecarOptions
        {
            Directory = section["Directory"] is { Length: > 0 } d ? d : directory,
            StartupTimeout = Duration(section, "StartupTimeout") ?? TimeSpan.FromSeconds(30),
            PollInterval = Duration(section, "PollInterval") ?? TimeSpan.FromSeconds(1),
            PfxPassword = section["PfxPassword"],
        };
    }

    /// <summary>A duration as .NET configuration writes one (<c>00:01:30</c>), or a number of seconds
    /// (<c>90</c>).</summary>
    private static TimeSpan? Duration(IConfiguration section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }
        throw new InvalidOperationException(
            $"{KestrelCertSidecarOptions.SectionName}:{key} `{text}` is not a duration: " +
            "write seconds (30) or hh:mm:ss (00:00:30)");
    }
}
