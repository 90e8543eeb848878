using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Amends.Web.Components;

/// <summary>
/// Runs a feature handler for a Blazor component in a fresh DI scope, so each action gets its own short-lived
/// DbContext (a circuit lives for hours; a context must not), and hands it the signed-in user.
/// </summary>
public sealed class UiActions(IServiceScopeFactory scopes, AuthenticationStateProvider authentication)
{
    public async Task<T> RunAsync<THandler, T>(Func<THandler, ClaimsPrincipal, Task<T>> action)
        where THandler : notnull
    {
        var state = await authentication.GetAuthenticationStateAsync();
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<THandler>(), state.User);
    }

    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;
}
