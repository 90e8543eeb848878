namespace Amends.Web.Persistence;

/// <summary>Whether this database holds the demo data set, and where its login file is; set once at start-up.</summary>
public sealed class DemoInstallation
{
    /// <summary>The demo login file, when the database holds the demo users and the file is there; otherwise null.</summary>
    public string? LoginFile { get; set; }
}
