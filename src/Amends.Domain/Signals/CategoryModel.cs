using System.Globalization;
using Amends.Domain.Cases;

namespace Amends.Domain.Signals;

/// <summary>
/// Suggests the failure category of a text from its sentence embedding: one centroid per category (the mean embedding
/// of its examples, unit length), the nearest by cosine wins, and a softmax over the similarities gives the confidence.
/// A few thousand numbers, shipped as a small text file; immutable, so shared between threads.
/// </summary>
public sealed class CategoryModel
{
    /// <summary>How sharply the softmax separates similarities (cosines differ by hundredths between close categories).</summary>
    public const double Temperature = 30;

    private readonly (FailureCategory Category, float[] Centroid)[] _centroids;

    private CategoryModel(string version, (FailureCategory, float[])[] centroids)
    {
        Version = version;
        _centroids = centroids;
    }

    public string Version { get; }

    public IReadOnlyList<FailureCategory> Categories => [.. _centroids.Select(c => c.Category)];

    /// <summary>The nearest category and how sure the model is (0–1), with the runner-up.</summary>
    public CategorySuggestion Suggest(ReadOnlySpan<float> embedding)
    {
        var similarities = new double[_centroids.Length];
        for (var c = 0; c < _centroids.Length; c++)
        {
            var centroid = _centroids[c].Centroid;
            if (centroid.Length != embedding.Length)
            {
                throw new ArgumentException($"The model takes {centroid.Length} dimensions, not {embedding.Length}.", nameof(embedding));
            }

            double dot = 0;
            for (var i = 0; i < centroid.Length; i++)
            {
                dot += centroid[i] * embedding[i];
            }

            similarities[c] = dot;
        }

        var max = similarities.Max();
        var weights = similarities.Select(s => Math.Exp(Temperature * (s - max))).ToArray();
        var total = weights.Sum();
        var order = Enumerable.Range(0, weights.Length).OrderByDescending(i => weights[i]).ToArray();
        return new CategorySuggestion(_centroids[order[0]].Category, weights[order[0]] / total,
            _centroids[order[1]].Category, weights[order[1]] / total);
    }

    /// <summary>One centroid per category from its examples' embeddings (each unit length).</summary>
    public static CategoryModel Build(IEnumerable<(FailureCategory Category, float[] Embedding)> examples, string version)
    {
        var centroids = examples.GroupBy(e => e.Category).OrderBy(g => g.Key).Select(g =>
        {
            var sum = new double[g.First().Embedding.Length];
            foreach (var (_, embedding) in g)
            {
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += embedding[i];
                }
            }

            var norm = Math.Sqrt(sum.Sum(x => x * x));
            return (g.Key, sum.Select(x => (float)(x / norm)).ToArray());
        }).ToArray();
        if (centroids.Length < 2)
        {
            throw new ArgumentException("A category model needs examples of at least two categories.", nameof(examples));
        }

        return new CategoryModel(version, centroids);
    }

    public void Write(TextWriter writer)
    {
        writer.WriteLine("version\t" + Version);
        foreach (var (category, centroid) in _centroids)
        {
            writer.WriteLine(category + "\t" + string.Join(' ', centroid.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
    }

    public static CategoryModel Read(TextReader reader)
    {
        string? version = null;
        var centroids = new List<(FailureCategory, float[])>();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split('\t', 2);
            if (parts is ["version", var v])
            {
                version = v;
            }
            else if (parts is [var name, var values] && Enum.TryParse<FailureCategory>(name, out var category))
            {
                centroids.Add((category, [.. values.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => float.Parse(x, CultureInfo.InvariantCulture))]));
            }
        }

        return version is null || centroids.Count < 2
            ? throw new InvalidDataException("Not a category model: it needs a version line and at least two categories.")
            : new CategoryModel(version, [.. centroids]);
    }
}

/// <summary>The category a text most likely describes, how sure (0–1), and the next most likely.</summary>
public sealed record CategorySuggestion(FailureCategory Category, double Confidence, FailureCategory RunnerUp, double RunnerUpConfidence);
