using Amends.Domain.Signals;

namespace Amends.Web.Features.Signals;

/// <summary>
/// The fast text model shipped with the product (<c>fast-text-model.tsv</c>, trained by
/// <c>dotnet run --project tools/Amends.Detection -- train-fast</c>; docs/detection.md), loaded once per process.
/// </summary>
public sealed class TextScoring
{
    private readonly LinearTextModel _model;

    public TextScoring()
    {
        using var stream = typeof(TextScoring).Assembly.GetManifestResourceStream("Amends.Web.fast-text-model.tsv")
            ?? throw new InvalidOperationException("The fast text model is not embedded in Amends.Web.");
        using var reader = new StreamReader(stream);
        _model = LinearTextModel.Read(reader);
    }

    public string Version => _model.Version;

    /// <summary>0–1, higher is more dissatisfied.</summary>
    public double Score(string text) => _model.Score(text);
}
