using MathNet.Numerics;

namespace Amends.Domain.Signals;

/// <summary>What the chart reads in one window: the count, what its own past says to expect, and how surprising it is.</summary>
public sealed record SpikeReading(int Observed, double Expected, double PValue, bool Alarm);

/// <summary>
/// A Poisson control chart with a weekly seasonal baseline (the c-chart of statistical process control, with exact
/// Poisson limits instead of the normal approximation): the customers hit in a window are compared with the mean of
/// the same window of the week in the weeks before, and the chart alarms when so many would come by chance with
/// probability at most <see cref="Alpha"/>, and at least <see cref="MinCount"/> customers are hit.
/// For a series that is Poisson around its baseline, a window alarms falsely with probability at most
/// <see cref="Alpha"/>; the baseline is estimated from a few weeks, so the measured rate is a little higher (the tests
/// measure it on a synthetic weekly pattern and docs/detection.md gives it).
/// </summary>
public sealed record SpikeChart(double Alpha = SpikeChart.DefaultAlpha, int MinCount = SpikeChart.DefaultMinCount)
{
    public const double DefaultAlpha = 0.001;
    public const int DefaultMinCount = 5;

    /// <summary>
    /// Reads <paramref name="observed"/> against the same window of earlier weeks. The expected count is their mean plus
    /// one half over their number (a quiet series with none in its past still needs <see cref="MinCount"/>, and a
    /// single customer is never a surprise).
    /// </summary>
    public SpikeReading Read(int observed, IReadOnlyList<int> earlier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(observed);
        var expected = (earlier.Sum() + 0.5) / Math.Max(1, earlier.Count);
        var p = UpperTail(observed, expected);
        return new SpikeReading(observed, expected, p, observed >= MinCount && p <= Alpha);
    }

    /// <summary>P(X ≥ n) for X Poisson with mean λ: the regularised lower incomplete gamma function P(n, λ).</summary>
    public static double UpperTail(int n, double lambda) => n <= 0 ? 1 : SpecialFunctions.GammaLowerRegularized(n, lambda);
}
