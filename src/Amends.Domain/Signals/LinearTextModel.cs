using System.Globalization;
using System.Text;

namespace Amends.Domain.Signals;

/// <summary>
/// The cheap dissatisfaction score every text gets at ingest: logistic regression over the words and word pairs of a
/// text, with negation carried to the next words ("not good" is <c>not_good</c>). It scores tens of thousands of texts a
/// second on one core, so ingestion never waits; the sentence model's score follows in the background. Immutable once
/// built: safe to share between threads.
/// </summary>
public sealed class LinearTextModel
{
    private static readonly HashSet<string> Negations = ["not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "cannot", "without", "hardly"];

    private readonly Dictionary<string, float> _weights;

    private LinearTextModel(string version, double bias, Dictionary<string, float> weights)
    {
        Version = version;
        Bias = bias;
        _weights = weights;
    }

    public string Version { get; }

    public double Bias { get; }

    public int FeatureCount => _weights.Count;

    /// <summary>0–1, higher is more dissatisfied; 0.5 for a text with no words, the prior (from the bias) for one with no known word.</summary>
    public double Score(string text)
    {
        var features = Features(text);
        if (features.Count == 0)
        {
            return 0.5;
        }

        var sum = Bias;
        foreach (var feature in features)
        {
            if (_weights.TryGetValue(feature, out var w))
            {
                sum += w;
            }
        }

        return 1 / (1 + Math.Exp(-sum));
    }

    /// <summary>The distinct features of a text: its words (negated ones marked) and adjacent pairs.</summary>
    public static HashSet<string> Features(string text)
    {
        var words = Words(text);
        var features = new HashSet<string>(StringComparer.Ordinal);
        var negate = 0;
        string? previous = null;
        foreach (var word in words)
        {
            if (word is "." or "!" or "?" or "," or ";")
            {
                negate = 0;
                previous = null;
                continue;
            }

            var negation = Negations.Contains(word) || word.EndsWith("n't", StringComparison.Ordinal);
            var token = negate > 0 && !negation ? "not_" + word : word;
            features.Add(token);
            if (previous is not null)
            {
                features.Add(previous + " " + token);
            }

            previous = token;
            negate = negation ? 3 : Math.Max(0, negate - 1);
        }

        return features;
    }

    /// <summary>Lower-cased words (apostrophes kept inside them) and sentence punctuation as its own token.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw == '’' ? '\'' : raw);
            if (char.IsLetterOrDigit(c) || (c == '\'' && current.Length > 0))
            {
                current.Append(c);
            }
            else
            {
                Flush();
                if (c is '.' or '!' or '?' or ',' or ';')
                {
                    words.Add(c.ToString());
                }
            }
        }

        Flush();
        return words;
    }

    /// <summary>
    /// Trains by stochastic gradient descent on the log loss with L2 regularisation, in a fixed order from a fixed seed:
    /// the same data gives the same model. <paramref name="samples"/> are (text, dissatisfied).
    /// </summary>
    public static LinearTextModel Train(IReadOnlyList<(string Text, bool Dissatisfied)> samples, string version, int epochs = 12, double rate = 0.2, double l2 = 1e-5, int minCount = 2)
    {
        var featured = samples.Select(s => (Features: Features(s.Text).ToArray(), Label: s.Dissatisfied ? 1.0 : 0.0)).ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in featured.SelectMany(s => s.Features))
        {
            counts[f] = counts.GetValueOrDefault(f) + 1;
        }

        var kept = counts.Where(c => c.Value >= minCount).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var weights = kept.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal);
        var positives = featured.Count(s => s.Label > 0);
        var bias = Math.Log((positives + 1.0) / (featured.Count - positives + 1.0));
        var random = new Random(20261201);
        var order = Enumerable.Range(0, featured.Count).ToArray();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            var step = rate / (1 + epoch);
            foreach (var i in order)
            {
                var (features, label) = featured[i];
                var sum = bias;
                foreach (var f in features)
                {
                    if (weights.TryGetValue(f, out var w))
                    {
                        sum += w;
                    }
                }

                var error = (1 / (1 + Math.Exp(-sum))) - label;
                bias -= step * error;
                foreach (var f in features)
                {
                    if (weights.TryGetValue(f, out var w))
                    {
                        weights[f] = w - (step * (error + (l2 * w)));
                    }
                }
            }
        }

        return new LinearTextModel(version, bias, weights.Where(w => Math.Abs(w.Value) >= 1e-3).ToDictionary(w => w.Key, w => (float)w.Value, StringComparer.Ordinal));
    }

    /// <summary>The model as text: a version line, a bias line, then one <c>feature TAB weight</c> line each, sorted.</summary>
    public void Write(TextWriter writer)
    {
        writer.WriteLine("version\t" + Version);
        writer.WriteLine("bias\t" + Bias.ToString("R", CultureInfo.InvariantCulture));
        foreach (var (feature, weight) in _weights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            writer.WriteLine(feature + "\t" + weight.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    public static LinearTextModel Read(TextReader reader)
    {
        string? version = null;
        double bias = 0;
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.LastIndexOf('\t');
            if (tab <= 0)
            {
                continue;
            }

            var (key, value) = (line[..tab], line[(tab + 1)..]);
            if (version is null && key == "version")
            {
                version = value;
            }
            else if (key == "bias" && weights.Count == 0)
            {
                bias = double.Parse(value, CultureInfo.InvariantCulture);
            }
            else
            {
                weights[key] = float.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return new LinearTextModel(version ?? throw new InvalidDataException("The model file has no version line."), bias, weights);
    }
}
