using System.Security.Cryptography;
using System.Text;
using Amends.Embeddings;

namespace Amends.Detection;

/// <summary>
/// The product's <see cref="SentenceModel"/> on every core, with the embeddings of a data set cached on disk by the hash
/// of its texts, so measuring again does not embed again.
/// </summary>
internal sealed class SentenceEmbeddings(string cache) : IDisposable
{
    private readonly SentenceModel _model = new(threads: Environment.ProcessorCount);

    public List<float[]> Embed(IReadOnlyList<string> texts, string name)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u0001', texts))))[..16];
        var file = Path.Combine(cache, $"{name}-{key}.bin");
        if (File.Exists(file))
        {
            return Read(file);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = _model.Embed(texts, (done, total) =>
        {
            if (done % 1024 < SentenceModel.BatchSize)
            {
                Console.Error.Write($"\r  {name}: {done:N0} of {total:N0} windows, {done / Math.Max(0.001, watch.Elapsed.TotalSeconds):N0}/s   ");
            }
        });
        Console.Error.WriteLine($"\r  {name}: {texts.Count:N0} texts in {watch.Elapsed.TotalSeconds:N0} s ({texts.Count / watch.Elapsed.TotalSeconds:N0}/s)   ");
        Directory.CreateDirectory(cache);
        Write(file, result);
        return result;
    }

    public void Dispose() => _model.Dispose();

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
