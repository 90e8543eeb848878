using System.Diagnostics;
using System.Diagnostics.Metrics;
using Amends.Domain.Remedies;
using Amends.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Amends.Web.Infrastructure;

/// <summary>
/// Amends' own metrics, beside ASP.NET Core's, EF Core's, HttpClient's and the runtime's:
/// <c>amends.cases.opened</c>, <c>amends.sla.breaches</c>, <c>amends.approvals.waiting</c> and <c>amends.sweep.duration</c>.
/// </summary>
public sealed class AmendsMetrics : IDisposable
{
    public const string MeterName = "Amends";

    private static readonly TimeSpan ApprovalsRefresh = TimeSpan.FromSeconds(15);

    private readonly Meter _meter;
    private readonly Counter<long> _casesOpened;
    private readonly Counter<long> _slaBreaches;
    private readonly Histogram<double> _sweepDuration;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private long _approvalsWaiting;
    private DateTimeOffset _approvalsReadAt = DateTimeOffset.MinValue;
    private int _refreshing;

    public AmendsMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider time)
    {
        _scopes = scopes;
        _time = time;
        _meter = meters.Create(MeterName);
        _casesOpened = _meter.CreateCounter<long>("amends.cases.opened", "{case}", "Recovery cases opened");
        _slaBreaches = _meter.CreateCounter<long>("amends.sla.breaches", "{breach}", "SLA clocks that breached");
        _sweepDuration = _meter.CreateHistogram("amends.sweep.duration", "s", "How long one sweep of due work took", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });
        _meter.CreateObservableGauge("amends.approvals.waiting", ApprovalsWaiting, "{offer}", "Offers waiting for a supervisor's or an admin's approval");
    }

    public void CaseOpened(string category) => _casesOpened.Add(1, new KeyValuePair<string, object?>("category", category));

    public void SlaBreached(string clock) => _slaBreaches.Add(1, new KeyValuePair<string, object?>("clock", clock));

    /// <summary>A sweep's time, tagged <c>work</c> when it found due items (an idle sweep is only a query).</summary>
    public void Swept(TimeSpan took, int items) => _sweepDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("work", items > 0 ? "some" : "none"));

    public void Dispose() => _meter.Dispose();

    /// <summary>The last count, refreshed in the background at most every 15 s: a scrape never waits on the database.</summary>
    private long ApprovalsWaiting()
    {
        if (_time.GetUtcNow() - _approvalsReadAt > ApprovalsRefresh && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
                    Interlocked.Exchange(ref _approvalsWaiting, await db.Offers.CountAsync(o => o.Status == OfferStatus.AwaitingApproval));
                    _approvalsReadAt = _time.GetUtcNow();
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    // The database is away; the gauge keeps its last value and readiness says what is wrong.
                }
                finally
                {
                    Interlocked.Exchange(ref _refreshing, 0);
                }
            });
        }

        return Interlocked.Read(ref _approvalsWaiting);
    }
}

internal static class TelemetrySetup
{
    /// <summary>
    /// Traces and metrics with OpenTelemetry. OTLP export is on when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
    /// (environment or configuration); <c>/metrics</c> serves Prometheus' text format unless <c>Amends:Telemetry:Prometheus</c> is false.
    /// </summary>
    public static void AddAmendsTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AmendsMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = builder.Configuration.GetValue("Amends:Telemetry:Prometheus", true);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("amends", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddMeter(AmendsMetrics.MeterName);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }
    }

    public static void MapAmendsTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue("Amends:Telemetry:Prometheus", true))
        {
            app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        }
    }
}
