using System.Reflection;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Identity;

namespace Amends.Web.Features.Account;

/// <summary>
/// Refuses passwords that guessing tools try first (ASVS 2.1.7): the shipped list <c>common-passwords.txt</c>, a word of
/// it with digits or symbols around it (<c>Password2026!</c>), one of them repeated, all one character, or the user's
/// own e-mail name. Length (12 and up) is Identity's own rule.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<AppUser>
{
    private static readonly Lazy<HashSet<string>> Words = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        if (password is null || !IsCommon(password, user.Email))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        return Task.FromResult(IdentityResult.Failed(new IdentityError
        {
            Code = "PasswordTooCommon",
            Description = "This password is too common or too easy to guess: choose a longer phrase of unrelated words.",
        }));
    }

    public static bool IsCommon(string password, string? email = null)
    {
        var lower = password.ToLowerInvariant();
        var core = lower.Trim("0123456789!@#$%^&*()-_=+.,;:?/\\|~ ".ToCharArray());
        if (core.Length == 0 || core.Distinct().Count() == 1 || Words.Value.Contains(lower) || Words.Value.Contains(core))
        {
            return true;
        }

        var local = email?.Split('@')[0].ToLowerInvariant();
        if (!string.IsNullOrEmpty(local) && local.Length >= 3 && core == local)
        {
            return true;
        }

        // "passwordpassword", "qwertyqwerty": a listed word repeated.
        return Words.Value.Any(w => w.Length >= 3 && core.Length % w.Length == 0 && core == string.Concat(Enumerable.Repeat(w, core.Length / w.Length)));
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Amends.Web.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is not embedded.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                words.Add(line.ToLowerInvariant());
            }
        }

        return words;
    }
}
