namespace Amends.Domain.Signals;

/// <summary>
/// Embeddings of labelled texts, kept small: each vector scaled to signed bytes (its largest component to ±127), which
/// keeps the logistic head's decisions (a unit vector loses under 0.4 % of each component). The product ships a sample of
/// the head's training mix this way, so that a head retrained from an organisation's own verdicts still learns from it.
/// </summary>
public sealed class TrainingSample
{
    private const string Magic = "AMNDTRN1";

    private TrainingSample(List<float[]> embeddings, List<bool> labels)
    {
        Embeddings = embeddings;
        Labels = labels;
    }

    public IReadOnlyList<float[]> Embeddings { get; }

    /// <summary>True for dissatisfied.</summary>
    public IReadOnlyList<bool> Labels { get; }

    public int Count => Labels.Count;

    /// <summary>An even sample of at most <paramref name="max"/> of the rows, the same every time.</summary>
    public static TrainingSample From(IReadOnlyList<float[]> embeddings, IReadOnlyList<bool> labels, int max)
    {
        var step = Math.Max(1.0, (double)embeddings.Count / max);
        var x = new List<float[]>();
        var y = new List<bool>();
        for (var i = 0.0; (int)i < embeddings.Count && x.Count < max; i += step)
        {
            x.Add(embeddings[(int)i]);
            y.Add(labels[(int)i]);
        }

        return new TrainingSample(x, y);
    }

    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        writer.Write(Magic.ToCharArray());
        var dimensions = Embeddings.Count == 0 ? 0 : Embeddings[0].Length;
        writer.Write(Count);
        writer.Write(dimensions);
        for (var i = 0; i < Count; i++)
        {
            var e = Embeddings[i];
            var max = e.Max(MathF.Abs);
            var scale = max == 0 ? 1 : max / 127f;
            writer.Write(Labels[i]);
            writer.Write(scale);
            foreach (var v in e)
            {
                writer.Write((sbyte)Math.Clamp(MathF.Round(v / scale), -127, 127));
            }
        }
    }

    public static TrainingSample Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
        if (new string(reader.ReadChars(Magic.Length)) != Magic)
        {
            throw new InvalidDataException("Not a training sample file.");
        }

        var count = reader.ReadInt32();
        var dimensions = reader.ReadInt32();
        var x = new List<float[]>(count);
        var y = new List<bool>(count);
        for (var i = 0; i < count; i++)
        {
            y.Add(reader.ReadBoolean());
            var scale = reader.ReadSingle();
            var e = new float[dimensions];
            for (var j = 0; j < dimensions; j++)
            {
                e[j] = reader.ReadSByte() * scale;
            }

            x.Add(e);
        }

        return new TrainingSample(x, y);
    }
}
