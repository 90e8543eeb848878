using Amends.Web;

WebApplication app;
try
{
    app = AmendsApp.Build(args);
}
catch (Amends.Web.Persistence.StartupException e)
{
    await Console.Error.WriteLineAsync("Amends cannot start: " + e.Message);
    return 2;
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
