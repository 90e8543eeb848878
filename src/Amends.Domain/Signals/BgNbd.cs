using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Amends.Domain.Signals;

/// <summary>
/// One customer's purchases as the BG/NBD model reads them, in weeks: <see cref="Repeats"/> purchases after the first,
/// the last of them <see cref="LastAt"/> weeks after the first, and <see cref="Age"/> weeks from the first to now.
/// </summary>
public readonly record struct PurchaseHistory(int Repeats, double LastAt, double Age)
{
    public const double DaysPerWeek = 7;

    /// <summary>From the number of orders, the first and the last, as of <paramref name="now"/> (all UTC).</summary>
    public static PurchaseHistory From(int orders, DateTime first, DateTime last, DateTime now) => new(
        Math.Max(0, orders - 1),
        Math.Max(0, (last - first).TotalDays / DaysPerWeek),
        Math.Max((last - first).TotalDays, (now - first).TotalDays) / DaysPerWeek);
}

/// <summary>
/// The beta-geometric/negative-binomial model of Fader, Hardie and Lee ("Counting your customers the easy way", Marketing
/// Science 24(2), 2005): while active a customer buys at their own Poisson rate (gamma distributed over customers,
/// <see cref="R"/>, <see cref="Alpha"/>) and after each purchase may leave for good with their own probability (beta
/// distributed, <see cref="A"/>, <see cref="B"/>). Fitted by maximum likelihood on an organisation's order events, it
/// says how likely each customer is to still be one: a regular buyer whose silence is long for their own rhythm scores low.
/// </summary>
public sealed record BgNbd(double R, double Alpha, double A, double B, int Customers)
{
    /// <summary>Fewer customers with a repeat purchase than this and the fit says nothing (null).</summary>
    public const int MinRepeatBuyers = 20;

    /// <summary>The fit reads at most this many customers (an even sample of the rest): the parameters settle long before.</summary>
    public const int MaxFitCustomers = 20_000;

    private const double MaxLogParameter = 12;

    /// <summary>The probability that a customer with this history is still active (1 for one with no repeat purchase, as the model has it).</summary>
    public double ProbabilityAlive(PurchaseHistory h)
    {
        if (h.Repeats == 0)
        {
            return 1;
        }

        // 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)), in logs so that long silences do not overflow.
        var log = Math.Log(A / (B + h.Repeats - 1)) + (R + h.Repeats) * (Math.Log(Alpha + h.Age) - Math.Log(Alpha + h.LastAt));
        return log > 700 ? 0 : 1 / (1 + Math.Exp(log));
    }

    /// <summary>How many purchases the model expects from this customer in the next <paramref name="weeks"/>.</summary>
    public double ExpectedPurchases(PurchaseHistory h, double weeks)
    {
        // Fader, Hardie and Lee (2005), equation 10.
        var x = h.Repeats;
        var z = weeks / (Alpha + h.Age + weeks);
        var hyp = Hypergeometric2F1(R + x, B + x, A + B + x - 1, z);
        var head = (A + B + x - 1) / (A - 1) * (1 - Math.Pow((Alpha + h.Age) / (Alpha + h.Age + weeks), R + x) * hyp);
        var tail = x > 0 ? A / (B + x - 1) * Math.Pow((Alpha + h.Age) / (Alpha + h.LastAt), R + x) : 0;
        return head / (1 + tail);
    }

    /// <summary>The log-likelihood of one customer's history under these parameters.</summary>
    public static double LogLikelihood(double r, double alpha, double a, double b, PurchaseHistory h)
    {
        var x = h.Repeats;
        var a1 = SpecialFunctions.GammaLn(r + x) - SpecialFunctions.GammaLn(r) + r * Math.Log(alpha);
        var a2 = SpecialFunctions.GammaLn(a + b) + SpecialFunctions.GammaLn(b + x) - SpecialFunctions.GammaLn(b) - SpecialFunctions.GammaLn(a + b + x);
        var a3 = -(r + x) * Math.Log(alpha + h.Age);
        if (x == 0)
        {
            return a1 + a2 + a3;
        }

        var a4 = Math.Log(a) - Math.Log(b + x - 1) - (r + x) * Math.Log(alpha + h.LastAt);
        var top = Math.Max(a3, a4);
        return a1 + a2 + top + Math.Log(Math.Exp(a3 - top) + Math.Exp(a4 - top));
    }

    /// <summary>
    /// The maximum-likelihood parameters for these customers (Nelder–Mead over the logs of the four, so each stays
    /// positive), or null when too few of them bought more than once to say anything.
    /// </summary>
    public static BgNbd? Fit(IReadOnlyList<PurchaseHistory> histories)
    {
        if (histories.Count(h => h.Repeats > 0) < MinRepeatBuyers)
        {
            return null;
        }

        var sample = histories.Count <= MaxFitCustomers
            ? histories
            : Enumerable.Range(0, MaxFitCustomers).Select(i => histories[(int)((long)i * histories.Count / MaxFitCustomers)]).ToList();
        double Negative(Vector<double> p)
        {
            // Within e^±12 of 1: a population where nobody leaves drives b to infinity, and there the likelihood is as
            // good as flat; the walls let the simplex settle instead of walking on forever.
            if (p.Any(x => Math.Abs(x) > MaxLogParameter))
            {
                return double.MaxValue;
            }

            var (r, alpha, a, b) = (Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
            var sum = 0.0;
            foreach (var h in sample)
            {
                sum += LogLikelihood(r, alpha, a, b, h);
            }

            return double.IsFinite(sum) ? -sum : double.MaxValue;
        }

        // The likelihood is flat along a ridge of (a, b) with the same mean drop-out: the simplex is started again from
        // where it stopped until a restart gains nothing, as is usual with Nelder–Mead.
        var objective = ObjectiveFunction.Value(Negative);
        var p = Vector<double>.Build.Dense([0, Math.Log(Math.Max(1, sample.Average(h => h.Age) / 2)), 0, 0]);
        var best = double.MaxValue;
        for (var restart = 0; restart < 10; restart++)
        {
            MinimizationResult result;
            try
            {
                result = new NelderMeadSimplex(1e-10, 5_000).FindMinimum(objective, p);
            }
            catch (MaximumIterationsException)
            {
                // Still creeping along a flat ridge: where it was is as good as it gets.
                break;
            }

            p = result.MinimizingPoint;
            if (best - result.FunctionInfoAtMinimum.Value < 1e-6)
            {
                break;
            }

            best = result.FunctionInfoAtMinimum.Value;
        }

        return new BgNbd(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]), sample.Count);
    }

    /// <summary>Gauss's hypergeometric function by its series (|z| &lt; 1, as equation 10 has it).</summary>
    private static double Hypergeometric2F1(double a, double b, double c, double z)
    {
        double term = 1, sum = 1;
        for (var n = 0; n < 10_000 && Math.Abs(term) > 1e-12 * Math.Abs(sum); n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
        }

        return sum;
    }
}
