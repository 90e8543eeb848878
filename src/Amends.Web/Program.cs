using Amends.Web;

var app = AmendsApp.Build(args);
await app.RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
