using Amends.Domain.Cases;
using Amends.Domain.Teams;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Platform;

/// <summary>What a newcomer and an operator see on the first start of an empty database.</summary>
public abstract class FirstStartTests(string provider)
{
    [Fact]
    public async Task A_configured_install_gets_its_admin_and_API_key_and_no_demo_data()
    {
        await using var app = new TestApp(provider);
        await app.InitializeAsync();

        var root = app.NewClient(TestApp.BootstrapKey);
        var me = await root.GetJsonAsync<UserDto>("/api/users/me");
        Assert.Equal(TestApp.AdminEmail, me.Email);
        Assert.Equal(Role.Admin, me.Role);
        var customers = await root.GetJsonAsync<Paged<CustomerDto>>("/api/customers");
        Assert.Equal(0, customers.Total);
        Assert.False(File.Exists(Path.Combine(app.ContentRoot, "demo-login.txt")));
    }

    [Fact]
    public async Task A_configured_install_never_advertises_a_demo_login_left_in_its_folder()
    {
        await using var app = new TestApp(provider);
        Directory.CreateDirectory(app.ContentRoot);
        await File.WriteAllTextAsync(Path.Combine(app.ContentRoot, "demo-login.txt"), "left by an earlier demo", TestContext.Current.CancellationToken);
        await app.InitializeAsync();

        var login = await app.Anonymous.GetStringAsync("/login", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("demo-hint", login, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-login", login, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_database_keeps_its_own_demo_login_file()
    {
        var options = new AmendsOptions();

        Assert.Equal("data/demo-login.txt", options.DemoLoginFileFor(postgres: false));
        Assert.Equal("data/demo-login-postgres.txt", options.DemoLoginFileFor(postgres: true));
    }

    [Fact]
    public async Task Demo_mode_seeds_a_realistic_data_set_and_writes_the_login_once()
    {
        await using var app = new TestApp(provider, demo: true);
        await app.InitializeAsync();

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await db.Customers.CountAsync(ct) >= 300);
        var statuses = await db.Cases.Select(c => c.Status).Distinct().ToListAsync(ct);
        Assert.Equal(Enum.GetValues<CaseStatus>().Order(), statuses.Order());
        var outcomes = await db.Cases.Where(c => c.Outcome != null).Select(c => c.Outcome!.Value).Distinct().ToListAsync(ct);
        Assert.Contains(CaseOutcome.Recovered, outcomes);
        Assert.Contains(CaseOutcome.NotRecovered, outcomes);
        Assert.True(await db.Cases.Select(c => c.Category).Distinct().CountAsync(ct) >= 5);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select r.Name).Distinct().ToListAsync(ct);
        Assert.Contains("Agent", roles);
        Assert.Contains("Supervisor", roles);
        Assert.Contains("Admin", roles);
        Assert.True(await db.TimelineEntries.CountAsync(ct) > await db.Cases.CountAsync(ct) * 2);

        // Every inbox view has something to show, At risk included.
        var root = app.NewClient(TestApp.BootstrapKey);
        Assert.True((await root.GetJsonAsync<Paged<CaseListItem>>("/api/cases?status=open&sla=at-risk")).Total > 0, "no case at risk in the demo");
        Assert.True((await root.GetJsonAsync<Paged<CaseListItem>>("/api/cases?status=open&sla=breached")).Total > 0, "no breached case in the demo");

        var login = await File.ReadAllTextAsync(Path.Combine(app.ContentRoot, "demo-login.txt"), ct);
        Assert.Contains("sam@amends.demo", login, StringComparison.Ordinal);
        Assert.Contains("demo-hint", await app.Anonymous.GetStringAsync("/login", ct), StringComparison.Ordinal);
        Assert.Contains("alex@amends.demo", login, StringComparison.Ordinal);

        // The demo's satisfaction checks that are due go out at once, to the Mailbox (a first start must not stall on the
        // key that signs their links), unless it is the demo team's quiet time (21:00–08:00 in London): then they are all
        // queued for its end, not a moment earlier. Its history, written as if in the past, told no customer anything.
        var followUp = Amends.Domain.Messaging.MessageKind.FollowUp;
        var london = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        var quiet = london.Hour >= 21 || london.Hour < 8;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await db.Outbox.AnyAsync(m => m.Kind == followUp && (quiet || m.State == Amends.Domain.Messaging.OutboxState.Delivered), ct)
            && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100, ct);
        }

        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), quiet ? "no satisfaction check was queued" : "no satisfaction check reached the Mailbox");
        if (quiet)
        {
            var held = await db.Outbox.AsNoTracking().Where(m => m.Kind == followUp).Select(m => new { m.State, m.NextAttemptAt, m.Attempts }).ToListAsync(ct);
            Assert.All(held, m => Assert.True(m.State == Amends.Domain.Messaging.OutboxState.Queued && m.Attempts == 0 && m.NextAttemptAt > TimeProvider.System.GetUtcNow().UtcDateTime, $"{m}"));
        }

        Assert.False(await db.Outbox.AnyAsync(m => m.Kind == Amends.Domain.Messaging.MessageKind.Update, ct));

        // Every demo user has a password of their own.
        var passwords = System.Text.RegularExpressions.Regex.Matches(login, @"@amends\.demo  /  (\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.True(passwords.Count >= 6, login);
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }

    // The demo is seeded at whatever hour someone first starts it; outside the team's hours (an evening in London, a
    // Sunday) its At risk and Breached views must still have something to show.
    [Theory]
    [InlineData("2026-12-01T20:30:00Z")]
    [InlineData("2026-12-06T11:00:00Z")]
    public async Task Demo_mode_has_cases_at_risk_and_breached_at_any_hour(string startedAt)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse(startedAt, System.Globalization.CultureInfo.InvariantCulture));
        await using var app = new TestApp(provider, demo: true, time: clock);
        await app.InitializeAsync();

        var root = app.NewClient(TestApp.BootstrapKey);
        Assert.True((await root.GetJsonAsync<Paged<CaseListItem>>("/api/cases?status=open&sla=at-risk")).Total > 0, "no case at risk in the demo");
        Assert.True((await root.GetJsonAsync<Paged<CaseListItem>>("/api/cases?status=open&sla=breached")).Total > 0, "no breached case in the demo");
    }
}

public sealed class FirstStartTestsOnSqlite() : FirstStartTests("Sqlite");

public sealed class FirstStartTestsOnPostgres() : FirstStartTests("Postgres");
