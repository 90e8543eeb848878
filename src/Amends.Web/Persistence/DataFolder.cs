namespace Amends.Web.Persistence;

/// <summary>
/// The folder Amends keeps its own files in (the SQLite database, the demo login, the ledger key): created readable by
/// the owner only (0700), since each file in it is a secret or the data itself.
/// </summary>
public static class DataFolder
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and its parents) if missing; a folder Amends creates is the owner's only.</summary>
    public static void Ensure(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnly);
        }
    }
}
