using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;

namespace KestrelCertSidecar.Testcontainers;

/// <summary>Wires an app container to a published set in one call.</summary>
public static class ContainerBuilderExtensions
{
    /// <summary>
    /// Mounts the published set read-only at <see cref="KestrelCertsContainer.MountPath"/>, sets the Kestrel
    /// variables (<see cref="KestrelCertsContainer.KestrelEnvironment"/>), and sets <c>SSL_CERT_FILE</c> to the
    /// trust bundle, so the app serves HTTPS and trusts the other services of the test (and the public roots) when
    /// it calls them.
    /// </summary>
    /// <remarks>
    /// <paramref name="certs"/> must have been started: the variables are read from what it published.
    /// </remarks>
    public static TBuilderEntity WithKestrelCerts<TBuilderEntity, TContainerEntity, TConfigurationEntity>(
        this ContainerBuilder<TBuilderEntity, TContainerEntity, TConfigurationEntity> builder,
        KestrelCertsContainer certs)
        where TBuilderEntity : ContainerBuilder<TBuilderEntity, TContainerEntity, TConfigurationEntity>
        where TContainerEntity : IContainer
        where TConfigurationEntity : IContainerConfiguration
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(certs);
        var mounted = certs.IsHostDirectory
            ? builder.WithBindMount(certs.VolumeName, certs.MountPath, AccessMode.ReadOnly)
            : builder.WithVolumeMount(certs.VolumeName, certs.MountPath, AccessMode.ReadOnly);
        return mounted
            .WithEnvironment(new Dictionary<string, string>(certs.KestrelEnvironment))
            .WithEnvironment("SSL_CERT_FILE", certs.TrustBundlePath);
    }
}
