using Amends.Web.Persistence;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Amends.Web.Infrastructure;

/// <summary>
/// The base of every link Amends gives a customer: <c>Amends:PublicBaseUrl</c>, else the first address the server listens
/// on. Never the request's Host header, which a caller chooses (a link built from it could point anywhere).
/// </summary>
public sealed class PublicUrls(IOptions<AmendsOptions> options, IServer server)
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl);

    public string BaseUrl => Configured
        ? options.Value.PublicBaseUrl!.Trim().TrimEnd('/')
        : (server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000").TrimEnd('/');
}
