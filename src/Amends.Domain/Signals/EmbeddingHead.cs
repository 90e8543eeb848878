using System.Globalization;

namespace Amends.Domain.Signals;

/// <summary>
/// Logistic regression on a sentence embedding: the small trained part of the model that reads meaning (the embedding
/// model itself is fixed and shipped by its package). A few hundred numbers, so it ships as a small text file; immutable,
/// so safe to share between threads.
/// </summary>
public sealed class EmbeddingHead
{
    private readonly float[] _weights;

    private EmbeddingHead(string version, float[] weights, double bias)
    {
        Version = version;
        _weights = weights;
        Bias = bias;
    }

    public string Version { get; }

    public double Bias { get; }

    public int Dimensions => _weights.Length;

    /// <summary>0–1, higher is more dissatisfied.</summary>
    public double Score(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != _weights.Length)
        {
            throw new ArgumentException($"The head takes {_weights.Length} dimensions, not {embedding.Length}.", nameof(embedding));
        }

        var sum = Bias;
        for (var i = 0; i < _weights.Length; i++)
        {
            sum += _weights[i] * embedding[i];
        }

        return 1 / (1 + Math.Exp(-sum));
    }

    /// <summary>
    /// Trains by full-batch gradient descent with momentum on the log loss, L2-regularised, each class weighted to count
    /// half (so a mix with more of one class does not shift the threshold). Deterministic: no random order.
    /// </summary>
    public static EmbeddingHead Train(IReadOnlyList<float[]> embeddings, IReadOnlyList<bool> dissatisfied, string version, int epochs = 400, double rate = 2.0, double l2 = 1e-4,
        Action<int, int>? progress = null)
    {
        var n = embeddings.Count;
        var d = embeddings[0].Length;
        var positives = dissatisfied.Count(x => x);
        var weightPositive = n / (2.0 * Math.Max(1, positives));
        var weightNegative = n / (2.0 * Math.Max(1, n - positives));
        var w = new double[d];
        var velocity = new double[d + 1];
        double bias = 0;
        var gradient = new double[d];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradient);
            double gradientBias = 0;
            for (var i = 0; i < n; i++)
            {
                var x = embeddings[i];
                var sum = bias;
                for (var j = 0; j < d; j++)
                {
                    sum += w[j] * x[j];
                }

                var label = dissatisfied[i] ? 1.0 : 0.0;
                var error = ((1 / (1 + Math.Exp(-sum))) - label) * (dissatisfied[i] ? weightPositive : weightNegative);
                gradientBias += error;
                for (var j = 0; j < d; j++)
                {
                    gradient[j] += error * x[j];
                }
            }

            for (var j = 0; j < d; j++)
            {
                velocity[j] = (0.9 * velocity[j]) - (rate * ((gradient[j] / n) + (l2 * w[j])));
                w[j] += velocity[j];
            }

            velocity[d] = (0.9 * velocity[d]) - (rate * gradientBias / n);
            bias += velocity[d];
            progress?.Invoke(epoch + 1, epochs);
        }

        return new EmbeddingHead(version, [.. w.Select(v => (float)v)], bias);
    }

    public void Write(TextWriter writer)
    {
        writer.WriteLine("version\t" + Version);
        writer.WriteLine("bias\t" + Bias.ToString("R", CultureInfo.InvariantCulture));
        writer.WriteLine("weights\t" + string.Join(' ', _weights.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }

    public static EmbeddingHead Read(TextReader reader)
    {
        string? version = null;
        double? bias = null;
        float[]? weights = null;
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split('\t', 2);
            switch (parts)
            {
                case ["version", var v]:
                    version = v;
                    break;
                case ["bias", var b]:
                    bias = double.Parse(b, CultureInfo.InvariantCulture);
                    break;
                case ["weights", var list]:
                    weights = [.. list.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => float.Parse(x, CultureInfo.InvariantCulture))];
                    break;
            }
        }

        return new EmbeddingHead(
            version ?? throw new InvalidDataException("The head file has no version line."),
            weights ?? throw new InvalidDataException("The head file has no weights line."),
            bias ?? throw new InvalidDataException("The head file has no bias line."));
    }
}

/// <summary>
/// Splits a text into windows the embedding model can read whole (its tokenizer does not cut, and the model sees at most
/// 256 word pieces): at sentence ends where it can, at a word otherwise, so nothing is cut silently.
/// </summary>
public static class TextWindows
{
    /// <summary>About 1.4 word pieces a word in English: 150 words stay inside the model's 256.</summary>
    public const int MaxWords = 150;

    public static List<string> Split(string text, int maxWords = MaxWords)
    {
        var words = text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length <= maxWords)
        {
            return [text.Trim()];
        }

        var windows = new List<string>();
        var start = 0;
        while (start < words.Length)
        {
            var end = Math.Min(words.Length, start + maxWords);
            if (end < words.Length)
            {
                // Back to the last sentence end in the second half of the window, if there is one.
                for (var i = end - 1; i > start + (maxWords / 2); i--)
                {
                    if (words[i].EndsWith('.') || words[i].EndsWith('!') || words[i].EndsWith('?'))
                    {
                        end = i + 1;
                        break;
                    }
                }
            }

            windows.Add(string.Join(' ', words[start..end]));
            start = end;
        }

        return windows;
    }
}
