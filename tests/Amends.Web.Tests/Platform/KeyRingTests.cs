using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>With a certificate configured, the data-protection key ring is encrypted where it is stored (the database).</summary>
public sealed class KeyRingTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "amends-tests", "keyring-" + Guid.NewGuid().ToString("N")[..8]);
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Amends key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddYears(1));
        var path = Path.Combine(_folder, "keyring.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "pfx-password"), TestContext.Current.CancellationToken);
        _app = new TestApp("Sqlite", settings: new()
        {
            ["Amends:DataProtection:CertificatePath"] = path,
            ["Amends:DataProtection:CertificatePassword"] = "pfx-password",
        });
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_key_ring_is_stored_encrypted_and_still_works()
    {
        // The sign-in page's antiforgery token needs a key: the first request creates it.
        var login = await _app.Anonymous.GetStringAsync("/login", TestContext.Current.CancellationToken);
        Assert.Contains("__RequestVerificationToken", login, StringComparison.Ordinal);

        await using var scope = _app.Scope();
        var keys = await scope.ServiceProvider.GetRequiredService<AmendsDbContext>().DataProtectionKeys.Select(k => k.Xml).ToListAsync(TestContext.Current.CancellationToken);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });
    }
}
