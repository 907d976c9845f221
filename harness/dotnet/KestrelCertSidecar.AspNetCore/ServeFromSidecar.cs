using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace KestrelCertSidecar.AspNetCore;

/// <summary>
/// Puts the sidecar's set on every HTTPS endpoint, through Kestrel's HTTPS defaults. Kestrel applies them to each
/// <c>HttpsConnectionAdapterOptions</c> it makes: for URL endpoints (<c>ASPNETCORE_HTTPS_PORTS</c>,
/// <c>ASPNETCORE_URLS</c>), for <c>Kestrel:Endpoints</c> in configuration and for <c>UseHttps()</c> in code.
/// What Kestrel's source does with them (dotnet/aspnetcore, src/Servers/Kestrel/Core/src):
/// <list type="bullet">
/// <item>A <c>ServerCertificateSelector</c> makes <c>HasServerCertificateOrSelector</c> true, so
/// <c>KestrelServerOptions.ApplyDefaultCertificate</c> adds no certificate of its own, and
/// <c>HttpsConnectionMiddleware</c> ignores any <c>ServerCertificate</c> ("If a selector is provided then ignore
/// the cert") - an endpoint's own certificate from configuration or code included.</item>
/// <item><c>HttpsConnectionMiddleware.DoOptionsBasedHandshakeAsync</c> builds the <c>SslServerAuthenticationOptions</c>
/// of each handshake, then calls <c>OnAuthenticate</c> with them before <c>AuthenticateAsServerAsync</c>. There the
/// selector is swapped for the set's <c>SslStreamCertificateContext</c>: leaf, key and intermediates, built once per
/// set, where a selector's bare certificate would be sent without the intermediates the machine's stores lack.</item>
/// </list>
/// </summary>
internal sealed class ServeFromSidecar(CertificateMonitor monitor) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        options.ConfigureHttpsDefaults(https =>
        {
            // Null before the first set loads: the handshake fails, and no other certificate is served.
            https.ServerCertificateSelector = (_, _) => monitor.Current?.Leaf;
            https.OnAuthenticate = (_, ssl) =>
            {
                if (monitor.Current is { } set)
                {
                    ssl.ServerCertificateSelectionCallback = null;
                    ssl.ServerCertificate = null;
                    ssl.ServerCertificateContext = set.Context;
                }
            };
        });
    }
}
