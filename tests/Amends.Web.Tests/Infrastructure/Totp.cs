using System.Security.Cryptography;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>RFC 6238 with RFC 4226's truncation, as authenticator apps compute it: HMAC-SHA1, 30-second steps, 6 digits.</summary>
public static class Totp
{
    public static string Code(string base32Key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = base32Key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant().TrimEnd('=');
        var bits = string.Concat(clean.Select(c => Convert.ToString(alphabet.IndexOf(c), 2).PadLeft(5, '0')));
        var key = Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
        var counter = BitConverter.GetBytes(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 30);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

#pragma warning disable CA5350 // TOTP is defined on HMAC-SHA1 (RFC 6238's default); authenticator apps use it.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var value = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }
}
