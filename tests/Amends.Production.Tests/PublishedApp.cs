using Amends.Reliability;

[assembly: AssemblyFixture(typeof(Amends.Production.Tests.PublishedApp))]

namespace Amends.Production.Tests;

/// <summary>
/// The app as the README's production section builds it: <c>dotnet publish -c Release</c>, once for every test here
/// (test.sh publishes before the tests and passes the folder in <c>AMENDS_PUBLISHED</c>; alone, this fixture publishes).
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "amends-tests", "production-" + Guid.NewGuid().ToString("N")[..8]);

    public string Directory { get; private set; } = "";

    /// <summary>A folder for one test's database and files, removed with the fixture.</summary>
    public string NewWorkDirectory(string name)
    {
        var path = Path.Combine(_work, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public async ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(_work);
        Directory = await Publish.EnsureAsync(Path.Combine(_work, "publish"), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        if (System.IO.Directory.Exists(_work))
        {
            System.IO.Directory.Delete(_work, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
