using System.Security.Cryptography;
using System.Text;
using Amends.Domain.Remedies;

namespace Amends.Web.Features.Remedies;

/// <summary>The <c>Amends:Ledger</c> settings.</summary>
public sealed class LedgerKeyOptions
{
    /// <summary>The secret that keys new entries (32+ characters, e.g. <c>openssl rand -base64 32</c>). Not in the database.</summary>
    public string? Key { get; set; }

    /// <summary>Secrets that keyed older entries, kept so those still verify after a rotation.</summary>
    public string[] RetiredKeys { get; set; } = [];

    /// <summary>Where the key is generated when none is configured (relative to the content root).</summary>
    public string KeyFile { get; set; } = "data/ledger.key";
}

/// <summary>
/// The ledger's keys: the current one from <c>Amends:Ledger:Key</c>, or (for the demo and first tries) one generated once
/// into <c>data/ledger.key</c>, readable by the owner only; plus the retired ones. A key is known by its fingerprint.
/// </summary>
public sealed class LedgerKeys
{
    private readonly Dictionary<string, LedgerKey> _all = new(StringComparer.Ordinal);

    public LedgerKeys(Microsoft.Extensions.Options.IOptions<LedgerKeyOptions> options, IHostEnvironment environment, ILogger<LedgerKeys> logger)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.Key))
        {
            if (settings.Key.Trim().Length < 32)
            {
                throw new InvalidOperationException("Amends:Ledger:Key must be at least 32 characters.");
            }

            Current = LedgerKey.From(Encoding.UTF8.GetBytes(settings.Key.Trim()));
        }
        else
        {
            var path = Path.Combine(environment.ContentRootPath, settings.KeyFile);
            Current = LedgerKey.From(Encoding.UTF8.GetBytes(ReadOrCreate(path)));
            if (environment.IsProduction())
            {
                logger.LogWarning("Amends:Ledger:Key is not set: the audit ledger is keyed with {Path}, which lives beside the data. "
                    + "Set Amends__Ledger__Key from a secret store so a copy of the data cannot recompute the chain.", path);
            }
        }

        _all[Current.Id] = Current;
        foreach (var retired in settings.RetiredKeys.Where(k => !string.IsNullOrWhiteSpace(k)))
        {
            var key = LedgerKey.From(Encoding.UTF8.GetBytes(retired.Trim()));
            _all.TryAdd(key.Id, key);
        }
    }

    public LedgerKey Current { get; }

    public LedgerKey? Find(string id) => _all.GetValueOrDefault(id);

    private static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Persistence.DataFolder.Ensure(Path.GetDirectoryName(path)!);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.UTF8.GetBytes(secret));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance on this folder wrote it first: use theirs.
            return File.ReadAllText(path).Trim();
        }

        return secret;
    }
}
