using Amends.Domain.Signals;
using MathNet.Numerics.Distributions;

namespace Amends.Domain.Tests.Signals;

/// <summary>The BG/NBD purchase model and the incident control chart, on synthetic data with a known answer.</summary>
public sealed class BehaviourStatisticsTests
{
    // Fader, Hardie and Lee's estimates on the CDNOW sample, used here as the truth to simulate.
    private const double R = 0.243, Alpha = 4.414, A = 0.793, B = 2.426;

    /// <summary>A population that buys and drops out as the model says, watched for 39 weeks from staggered starts.</summary>
    private static List<(PurchaseHistory History, bool Alive)> Simulate(int customers, int seed)
    {
        var random = new Random(seed);
        var result = new List<(PurchaseHistory, bool)>(customers);
        for (var i = 0; i < customers; i++)
        {
            var rate = Gamma.Sample(random, R, Alpha);
            var leave = Beta.Sample(random, A, B);
            var age = 27 + random.NextDouble() * 12;
            double t = 0, last = 0;
            var repeats = 0;
            var alive = true;
            while (true)
            {
                // After each purchase (the first included) the customer may leave for good.
                if (random.NextDouble() < leave && repeats > 0)
                {
                    alive = false;
                    break;
                }

                t += Exponential.Sample(random, rate);
                if (t > age)
                {
                    break;
                }

                repeats++;
                last = t;
            }

            result.Add((new PurchaseHistory(repeats, last, age), alive));
        }

        return result;
    }

    [Fact]
    public void The_fit_finds_the_parameters_a_population_was_drawn_from()
    {
        var fit = BgNbd.Fit([.. Simulate(8_000, seed: 7).Select(c => c.History)]);

        Assert.NotNull(fit);
        Assert.InRange(fit.R, R * 0.8, R * 1.25);
        Assert.InRange(fit.Alpha, Alpha * 0.7, Alpha * 1.4);
        Assert.InRange(fit.A / (fit.A + fit.B), 0.75 * A / (A + B), 1.3 * A / (A + B));
    }

    [Fact]
    public void Who_is_still_a_customer_is_told_apart_from_who_has_left()
    {
        var population = Simulate(8_000, seed: 11);
        var fit = BgNbd.Fit([.. population.Select(c => c.History)])!;

        // Among repeat buyers (the others are alive by the model's own rule): the probability ranks the truly active
        // above those who left well above chance (many who left after one repeat look like slow buyers, which no model
        // can tell apart), and it is calibrated: on average it is the share still active.
        var repeaters = population.Where(c => c.History.Repeats > 0).ToList();
        var alive = repeaters.Where(c => c.Alive).Select(c => fit.ProbabilityAlive(c.History)).ToArray();
        var gone = repeaters.Where(c => !c.Alive).Select(c => fit.ProbabilityAlive(c.History)).ToArray();
        Assert.True(Auc(alive, gone) > 0.72, $"AUC {Auc(alive, gone):F3}");
        var share = (double)alive.Length / repeaters.Count;
        Assert.InRange(repeaters.Average(c => fit.ProbabilityAlive(c.History)), share - 0.04, share + 0.04);

        // Those it is surest have left mostly have.
        var surelyGone = repeaters.Where(c => fit.ProbabilityAlive(c.History) < 0.2).ToList();
        Assert.True(surelyGone.Count(c => !c.Alive) > 0.85 * surelyGone.Count, $"{surelyGone.Count(c => !c.Alive)} of {surelyGone.Count}");
    }

    [Fact]
    public void A_regular_buyer_who_has_gone_quiet_is_flagged_and_a_steady_one_is_not()
    {
        var fit = BgNbd.Fit([.. Simulate(4_000, seed: 3).Select(c => c.History)])!;
        var now = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var first = now.AddDays(-7 * 40);

        // Every week for 40 weeks, the last this week; every week for 20 weeks, then 20 weeks of nothing; twice, long ago.
        var steady = PurchaseHistory.From(40, first, now.AddDays(-3), now);
        var stopped = PurchaseHistory.From(20, first, first.AddDays(7 * 19), now);
        var occasional = PurchaseHistory.From(2, first, first.AddDays(7 * 10), now);

        Assert.True(fit.ProbabilityAlive(steady) > 0.9, $"steady {fit.ProbabilityAlive(steady):F3}");
        Assert.True(fit.ProbabilityAlive(stopped) < 0.05, $"stopped {fit.ProbabilityAlive(stopped):F3}");
        Assert.InRange(fit.ProbabilityAlive(occasional), 0.2, 1);
        Assert.True(fit.ExpectedPurchases(steady, 4) > 2, $"steady expects {fit.ExpectedPurchases(steady, 4):F2}");
        Assert.True(fit.ExpectedPurchases(stopped, 4) < 0.2, $"stopped expects {fit.ExpectedPurchases(stopped, 4):F2}");
    }

    [Fact]
    public void Too_few_repeat_buyers_give_no_fit()
    {
        Assert.Null(BgNbd.Fit([.. Enumerable.Range(0, 100).Select(i => new PurchaseHistory(i < 10 ? 1 : 0, 1, 20))]));
    }

    /// <summary>
    /// An ordinary week (busier weekdays, quiet nights) drawn for a year in windows of six hours: the chart, reading each
    /// window against the same one in the four weeks before, stays nearly silent; the false-alarm rate it shows here is
    /// the one docs/detection.md states.
    /// </summary>
    [Fact]
    public void An_ordinary_weekly_pattern_rarely_alarms_and_an_injected_spike_does()
    {
        var chart = new SpikeChart();
        var random = new Random(42);
        double[] day = [0.3, 1.0, 1.4, 0.8];
        double[] week = [1.2, 1.1, 1.0, 1.0, 1.1, 0.6, 0.5];
        const int Weeks = 52, PerWeek = 28;
        var counts = new int[Weeks * PerWeek];
        for (var w = 0; w < counts.Length; w++)
        {
            counts[w] = Poisson.Sample(random, 3 * week[w % PerWeek / 4] * day[w % 4]);
        }

        int[] Earlier(int w) => [.. Enumerable.Range(1, 4).Select(k => counts[w - k * PerWeek])];
        var checkedWindows = 0;
        var alarms = 0;
        for (var w = 4 * PerWeek; w < counts.Length; w++)
        {
            checkedWindows++;
            alarms += chart.Read(counts[w], Earlier(w)).Alarm ? 1 : 0;
        }

        var rate = (double)alarms / checkedWindows;
        Assert.True(rate <= 0.003, $"{alarms} false alarms in {checkedWindows} windows ({rate:P2})");

        // Twelve more customers in one Tuesday afternoon (where about four are usual): an alarm, and a surprising one.
        var tuesday = 40 * PerWeek + 4 + 2;
        var spike = chart.Read(counts[tuesday] + 12, Earlier(tuesday));
        Assert.True(spike.Alarm, $"{spike}");
        Assert.True(spike.PValue < 1e-4, $"{spike}");

        // Five customers where none ever was is an alarm; four is not (the minimum), nor is one where one is usual.
        Assert.True(chart.Read(5, [0, 0, 0, 0]).Alarm);
        Assert.False(chart.Read(4, [0, 0, 0, 0]).Alarm);
        Assert.False(chart.Read(1, [1, 1, 1, 1]).Alarm);
        Assert.Equal(1, SpikeChart.UpperTail(0, 3));
        Assert.Equal(1 - Math.Exp(-3), SpikeChart.UpperTail(1, 3), 12);
    }

    private static double Auc(double[] positives, double[] negatives)
    {
        var wins = 0.0;
        foreach (var p in positives)
        {
            foreach (var n in negatives)
            {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }

        return wins / ((double)positives.Length * negatives.Length);
    }
}
