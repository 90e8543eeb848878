using System.Net;
using System.Text;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Signals;
using Amends.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Signals;

/// <summary>Signals from a CSV file: each good row stored once, each bad one named by its line and column, progress per batch.</summary>
public abstract class SignalImportTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<CsvImportResult> PostAsync(string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await app.Agent.PostAsync("/api/signals/import", content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<CsvImportResult>();
    }

    [Fact]
    public async Task A_file_stores_each_good_row_once_and_names_each_bad_one_by_line_and_column()
    {
        var run = Unique("csv");
        var email = run + "@example.com";
        // Columns in their own order and case, quoted text with a comma and a line break, blank cells.
        var csv = $"""
            Kind,SOURCE,externalId,occurredAt,email,surveyType,score,text,event,value
            Survey,survey-tool,{run}-1,2026-11-30T14:05:00Z,{email},Nps,1,"Third time late, I am cancelling my account.
            Done with you.",,
            Behaviour,shop,{run}-2,2026-11-30 15:00,{email},,,,DeliveryLate,3
            Survey,survey-tool,{run}-3,yesterday,{email},Nps,2,,,
            Complaint,survey-tool,{run}-4,2026-11-30T14:05:00Z,{email},,,,,
            Survey,survey-tool,{run}-5,2026-11-30T14:05:00Z,{email},Nps,eleven,,,
            Survey,survey-tool,{run}-6,2026-11-30T14:05:00Z,,Nps,3,,,
            """;

        var result = await PostAsync(csv);
        Assert.Equal((6, 2, 0, 4, 1), (result.Rows, result.Stored, result.Replayed, result.Invalid, result.Acting));
        Assert.Equal(
            [(5, "occurredAt"), (6, "kind"), (7, "score"), (8, "customer")],
            result.Errors.Select(e => (e.Line, e.Field!)));
        Assert.Contains("\"yesterday\" is not a date and time", result.Errors[0].Message);

        // The quoted text came through whole; the behaviour row's time without an offset is UTC.
        var signals = (await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={await CustomerAsync(email)}")).Items;
        var survey = Assert.Single(signals, s => s.Kind == SignalKind.Survey);
        Assert.Equal("Third time late, I am cancelling my account.\nDone with you.", survey.Text!.ReplaceLineEndings("\n"));
        var late = Assert.Single(signals, s => s.Kind == SignalKind.Behaviour);
        Assert.Equal((BehaviourEvent.DeliveryLate, 3m, new DateTime(2026, 11, 30, 15, 0, 0, DateTimeKind.Utc)), (late.Event!.Value, late.Value!.Value, late.OccurredAt));

        // The same file again stores nothing new; its risky row opened its case meanwhile.
        var again = await PostAsync(csv);
        Assert.Equal((6, 0, 2, 4), (again.Rows, again.Stored, again.Replayed, again.Invalid));
        await Eventually.UntilAsync(() => app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{survey.Id}"), s => s.Action == SignalAction.Opened);
    }

    [Fact]
    public async Task A_file_without_its_required_columns_or_not_sent_as_csv_is_refused_whole()
    {
        var result = await PostAsync("source,kind\nshop,Behaviour\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, 0), (error.Line, result.Stored));
        Assert.Contains("externalId, occurredAt missing", error.Message);

        using var json = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await app.Agent.PostAsync("/api/signals/import", json, Ct);
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type");
    }

    [Fact]
    public async Task A_large_file_reports_its_progress_after_each_batch()
    {
        var run = Unique("big");
        var csv = new StringBuilder("source,externalId,kind,occurredAt,email,event\n");
        for (var i = 0; i < 1_200; i++)
        {
            csv.Append($"shop,{run}-{i},Behaviour,2026-11-30T10:00:00Z,{run}-{i % 40}@example.com,OrderPlaced\n");
        }

        var seen = new List<CsvImportProgress>();
        await using var scope = app.Scope();
        var import = scope.ServiceProvider.GetRequiredService<SignalCsvImport>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        var result = await import.ImportAsync(stream, new Recorder(seen), Ct);

        Assert.Equal((1_200, 1_200, 0), (result.Rows, result.Stored, result.Invalid));
        Assert.Equal([0, 500, 1_000, 1_200], seen.Select(p => p.Done));
        Assert.All(seen, p => Assert.Equal(1_200, p.Total));
    }

    private async Task<Guid> CustomerAsync(string email) =>
        (await app.Agent.GetJsonAsync<Paged<Amends.Web.Features.Customers.CustomerDto>>($"/api/customers?q={Uri.EscapeDataString(email)}")).Items.Single().Id;

    /// <summary>Records each report as it is made (Progress&lt;T&gt; would post them later, out of order).</summary>
    private sealed class Recorder(List<CsvImportProgress> seen) : IProgress<CsvImportProgress>
    {
        public void Report(CsvImportProgress value) => seen.Add(value);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SignalImportTestsOnSqlite(SqliteApp app) : SignalImportTests(app);

[Collection(PostgresCollection.Name)]
public sealed class SignalImportTestsOnPostgres(PostgresApp app) : SignalImportTests(app);
