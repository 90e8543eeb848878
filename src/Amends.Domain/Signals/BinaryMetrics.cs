namespace Amends.Domain.Signals;

/// <summary>How well scores separate two classes: ROC-AUC, PR-AUC (average precision) and, at a threshold, precision, recall and F1.</summary>
public sealed record BinaryMetrics(int Count, int Positives, double RocAuc, double PrAuc, double Precision, double Recall, double F1)
{
    public static BinaryMetrics Compute(IReadOnlyList<(double Score, bool Positive)> scored, double threshold = 0.5)
    {
        var positives = scored.Count(s => s.Positive);
        var negatives = scored.Count - positives;

        // ROC-AUC as the Mann-Whitney statistic, ties counted half, through ranks.
        var ranked = scored.OrderBy(s => s.Score).ToList();
        double rankSum = 0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].Score == ranked[i].Score)
            {
                j++;
            }

            var rank = (i + j + 1) / 2.0;
            for (; i < j; i++)
            {
                rankSum += ranked[i].Positive ? rank : 0;
            }
        }

        var roc = positives == 0 || negatives == 0 ? double.NaN : (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);

        // Average precision: precision at each positive, highest scores first.
        double ap = 0;
        var seen = 0;
        var hits = 0;
        foreach (var s in scored.OrderByDescending(s => s.Score))
        {
            seen++;
            if (s.Positive)
            {
                hits++;
                ap += (double)hits / seen;
            }
        }

        var pr = positives == 0 ? double.NaN : ap / positives;
        var truePositives = scored.Count(s => s.Positive && s.Score >= threshold);
        var predicted = scored.Count(s => s.Score >= threshold);
        var precision = predicted == 0 ? 0 : (double)truePositives / predicted;
        var recall = positives == 0 ? 0 : (double)truePositives / positives;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new BinaryMetrics(scored.Count, positives, roc, pr, precision, recall, f1);
    }
}
