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
/// <c>amends.cases.opened</c>, <c>amends.sla.breaches</c>, <c>amends.approvals.waiting</c>, <c>amends.sweep.duration</c>,
/// <c>amends.detection.backlog</c>, <c>amends.detection.texts_scored</c> and <c>amends.detection.model_duration</c>.
/// </summary>
public sealed class AmendsMetrics : IDisposable
{
    public const string MeterName = "Amends";

    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(15);

    private readonly Meter _meter;
    private readonly Counter<long> _casesOpened;
    private readonly Counter<long> _slaBreaches;
    private readonly Histogram<double> _sweepDuration;
    private readonly Counter<long> _textsScored;
    private readonly Histogram<double> _modelDuration;

    public AmendsMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider time)
    {
        _meter = meters.Create(MeterName);
        _casesOpened = _meter.CreateCounter<long>("amends.cases.opened", "{case}", "Recovery cases opened");
        _slaBreaches = _meter.CreateCounter<long>("amends.sla.breaches", "{breach}", "SLA clocks that breached");
        _sweepDuration = _meter.CreateHistogram("amends.sweep.duration", "s", "How long one sweep of due work took", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });
        var approvals = new RefreshedCount(scopes, time, async db => await db.Offers.CountAsync(o => o.Status == OfferStatus.AwaitingApproval));
        _meter.CreateObservableGauge("amends.approvals.waiting", approvals.Value, "{offer}", "Offers waiting for a supervisor's or an admin's approval");
        _textsScored = _meter.CreateCounter<long>("amends.detection.texts_scored", "{text}", "Texts the sentence model read in the background");
        _modelDuration = _meter.CreateHistogram("amends.detection.model_duration", "s", "How long the sentence model took for one batch of texts", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });
        // Counted up to 100,001 off the backlog's partial index: a huge backlog costs one index scan, not a table scan.
        var backlog = new RefreshedCount(scopes, time, async db => await db.Signals.Where(s => s.ModelScore == null && s.Text != null).Take(100_001).CountAsync());
        _meter.CreateObservableGauge("amends.detection.backlog", backlog.Value, "{text}", "Texts waiting for the sentence model (capped at 100,001)");
    }

    public void CaseOpened(string category) => _casesOpened.Add(1, new KeyValuePair<string, object?>("category", category));

    public void TextsScored(int count, TimeSpan took)
    {
        _textsScored.Add(count);
        _modelDuration.Record(took.TotalSeconds);
    }

    public void SlaBreached(string clock) => _slaBreaches.Add(1, new KeyValuePair<string, object?>("clock", clock));

    /// <summary>A sweep's time, tagged <c>work</c> when it found due items (an idle sweep is only a query).</summary>
    public void Swept(TimeSpan took, int items) => _sweepDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("work", items > 0 ? "some" : "none"));

    public void Dispose() => _meter.Dispose();

    /// <summary>
    /// A count from the database for a gauge: the last one read, refreshed in the background at most every 15 s, so a
    /// scrape never waits on the database. When the database is away it keeps its last value (readiness says what is wrong).
    /// </summary>
    private sealed class RefreshedCount(IServiceScopeFactory scopes, TimeProvider time, Func<AmendsDbContext, Task<long>> read)
    {
        private long _value;
        private DateTimeOffset _readAt = DateTimeOffset.MinValue;
        private int _refreshing;

        public long Value()
        {
            if (time.GetUtcNow() - _readAt > Refresh && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        Interlocked.Exchange(ref _value, await read(scope.ServiceProvider.GetRequiredService<AmendsDbContext>()));
                        _readAt = time.GetUtcNow();
                    }
                    catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                    {
                        // Keeps the last value.
                    }
                    finally
                    {
                        Interlocked.Exchange(ref _refreshing, 0);
                    }
                });
            }

            return Interlocked.Read(ref _value);
        }
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
