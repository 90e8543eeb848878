using System.Globalization;
using System.Text;
using Amends.Detection;
using Amends.Domain.Signals;

// Trains and measures Amends' text detection from the labelled public data in ../shared/data (see docs/detection.md).
//   train-fast [--data DIR] [--out FILE]   the fast linear model shipped with the product
//   evaluate --file F [--model FILE]       ROC-AUC, PR-AUC, F1, precision and recall on a text<TAB>label file
//   report [--data DIR] [--model FILE]     every data set, with the domain under test left out of training
//   train-model [--cache DIR] [--out FILE] the sentence model's head (MiniLM embeddings + logistic regression), with its figures
//   score [TEXT ...]                       both shipped models' scores of each text (or of each line of the input)
//   train-category [--cache DIR] [--out F] the category model (centroids of MiniLM embeddings), with its figures
var arguments = args.ToList();
string Option(string name, string fallback)
{
    var at = arguments.IndexOf(name);
    return at >= 0 && at + 1 < arguments.Count ? arguments[at + 1] : fallback;
}

var root = FindRoot();
var data = Option("--data", Path.GetFullPath(Path.Combine(root, "..", "shared", "data")));
var shipped = Path.Combine(root, "src", "Amends.Web", "Features", "Signals", "fast-text-model.tsv");
var sets = new DataSets(data);

switch (arguments.FirstOrDefault())
{
    case "train-fast":
    {
        var output = Option("--out", shipped);
        var mix = sets.ShippedTrainingMix();
        var model = LinearTextModel.Train(mix, FastModel.Version);
        await using (var writer = new StreamWriter(output, false, new UTF8Encoding(false)))
        {
            model.Write(writer);
        }

        Console.WriteLine($"Trained {model.Version} on {mix.Count:N0} texts ({mix.Count(m => m.Dissatisfied):N0} dissatisfied): {model.FeatureCount:N0} features -> {output}");
        break;
    }

    case "evaluate":
    {
        var file = Option("--file", "");
        if (!File.Exists(file))
        {
            Console.Error.WriteLine("evaluate --file F: a text<TAB>label file (label 1 = dissatisfied, 0 = not; a header line is skipped).");
            return 2;
        }

        var model = FastModel.Load(Option("--model", shipped));
        var rows = DataSets.ReadLabelled(file);
        Console.WriteLine(Table.Header);
        Console.WriteLine(Table.Row(Path.GetFileName(file), model.Version, Measure(model, rows)));
        break;
    }

    case "report":
    {
        var model = FastModel.Load(Option("--model", shipped));
        Console.WriteLine(Table.Header);
        foreach (var (name, test, trainWithout) in sets.HeldOutDomains())
        {
            // Each domain is scored by a model trained on everything else, so no figure comes from text it was trained on.
            var heldOut = LinearTextModel.Train(trainWithout, model.Version + "-without-" + name);
            Console.WriteLine(Table.Row(name, "trained without it", Measure(heldOut, test)));
        }

        foreach (var (name, test) in sets.EvaluationOnly())
        {
            Console.WriteLine(Table.Row(name, model.Version + " (shipped)", Measure(model, test)));
        }

        var complaints = sets.CfpbNarratives();
        var flagged = complaints.Count(t => model.Score(t) >= 0.5);
        Console.WriteLine();
        Console.WriteLine($"CFPB complaint narratives (every one a complaint): {flagged:N0} of {complaints.Count:N0} scored 0.5 or more ({100.0 * flagged / Math.Max(1, complaints.Count):F1} %).");
        break;
    }

    case "train-model":
    {
        // The sentence model's head: MiniLM embeddings of the same training mix, logistic regression on top; every
        // figure of a trainable domain from a head trained without that domain.
        var cache = Option("--cache", Path.Combine(Path.GetTempPath(), "amends-embeddings"));
        using var embeddings = new SentenceEmbeddings(cache);
        (List<float[]> X, List<bool> Y) Embed(string name, List<(string Text, bool Dissatisfied)> rows) =>
            (embeddings.Embed([.. rows.Select(r => r.Text)], name), [.. rows.Select(r => r.Dissatisfied)]);
        EmbeddingHead Train(string version, params (List<float[]> X, List<bool> Y)[] parts) =>
            EmbeddingHead.Train([.. parts.SelectMany(p => p.X)], [.. parts.SelectMany(p => p.Y)], version);
        static BinaryMetrics Score(EmbeddingHead head, (List<float[]> X, List<bool> Y) set) =>
            BinaryMetrics.Compute([.. set.X.Select((x, i) => (head.Score(x), set.Y[i]))]);

        var amazon = Embed("amazon", sets.Amazon());
        var yelp = Embed("yelp", sets.Yelp());
        var bankingTrain = Embed("banking-train", sets.Banking("train.csv"));
        var bankingTest = Embed("banking-test", sets.Banking("test.csv"));
        var zomato = Embed("zomato-1-in-4", [.. sets.Zomato().Where((_, i) => i % 4 == 0)]);
        var cfpb = embeddings.Embed([.. sets.CfpbNarratives().Where((_, i) => i % 4 == 0)], "cfpb-1-in-4");

        Console.WriteLine(Table.Header);
        Console.WriteLine(Table.Row("UCI Amazon product reviews", "trained without it", Score(Train("held-out", yelp, bankingTrain), amazon)));
        Console.WriteLine(Table.Row("UCI Yelp restaurant reviews", "trained without it", Score(Train("held-out", amazon, bankingTrain), yelp)));
        Console.WriteLine(Table.Row("BANKING77 test (problem intents)", "trained without it", Score(Train("held-out", amazon, yelp), bankingTest)));
        var head = Train(SentenceHead.Version, amazon, yelp, bankingTrain);
        Console.WriteLine(Table.Row("Zomato restaurant reviews (1 in 4)", head.Version + " (shipped)", Score(head, zomato)));
        Console.WriteLine(Table.Row("BANKING77 test (problem intents)", head.Version + " (shipped)", Score(head, bankingTest)));
        var flagged = cfpb.Count(x => head.Score(x) >= 0.5);
        Console.WriteLine();
        Console.WriteLine($"CFPB complaint narratives (1 in 4, every one a complaint): {flagged:N0} of {cfpb.Count:N0} scored 0.5 or more ({100.0 * flagged / Math.Max(1, cfpb.Count):F1} %).");
        var output = Option("--out", Path.Combine(root, "src", "Amends.Web", "Features", "Signals", "sentence-head.tsv"));
        await using (var writer = new StreamWriter(output, false, new UTF8Encoding(false)))
        {
            head.Write(writer);
        }

        Console.WriteLine($"Head {head.Version} ({head.Dimensions} weights) -> {output}");

        // An even sample of the same mix, shipped beside the head: a head retrained from an organisation's verdicts
        // learns from it too (Admin › Detection).
        var sample = TrainingSample.From([.. amazon.X, .. yelp.X, .. bankingTrain.X], [.. amazon.Y, .. yelp.Y, .. bankingTrain.Y], 3_000);
        var sampleOutput = Path.Combine(Path.GetDirectoryName(output)!, "sentence-training.bin");
        await using (var file = File.Create(sampleOutput))
        {
            sample.Write(file);
        }

        Console.WriteLine($"Training sample of {sample.Count:N0} ({sample.Labels.Count(l => l):N0} dissatisfied) -> {sampleOutput}");
        break;
    }

    case "experiment":
    {
        // Ideas for the sentence model's head, each measured with the domain under test left out of training.
        var cache = Option("--cache", Path.Combine(Path.GetTempPath(), "amends-embeddings"));
        using var embeddings = new SentenceEmbeddings(cache);
        var cueCodes = CueRules.TextRules.Select(r => r.Code).ToList();
        var cueWeight = float.Parse(Option("--cue-weight", "0.3"), CultureInfo.InvariantCulture);
        (List<float[]> X, List<bool> Y, List<string> T) Embed(string name, List<(string Text, bool Dissatisfied)> rows) =>
            (embeddings.Embed([.. rows.Select(r => r.Text)], name), [.. rows.Select(r => r.Dissatisfied)], [.. rows.Select(r => r.Text)]);
        float[] WithCues(float[] e, string text)
        {
            var extra = new float[cueCodes.Count];
            foreach (var (cue, _) in CueRules.InText(text))
            {
                extra[cueCodes.IndexOf(cue.Code)] = cueWeight;
            }

            return [.. e, .. extra];
        }

        var amazon = Embed("amazon", sets.Amazon());
        var yelp = Embed("yelp", sets.Yelp());
        var bankingTrain = Embed("banking-train", sets.Banking("train.csv"));
        var bankingTest = Embed("banking-test", sets.Banking("test.csv"));
        var narratives = sets.CfpbNarratives();
        var cfpb = (embeddings.Embed(narratives, "cfpb-all"), Enumerable.Repeat(true, narratives.Count).ToList(), narratives);
        foreach (var (mix, useCfpb, useCues) in new[] { ("base", false, false), ("+ CFPB complaints", true, false), ("+ cue features", false, true), ("+ both", true, true) })
        {
            List<float[]> Features((List<float[]> X, List<bool> Y, List<string> T) set) => useCues ? [.. set.X.Select((x, i) => WithCues(x, set.T[i]))] : set.X;
            double Auc((List<float[]> X, List<bool> Y, List<string> T) test, params (List<float[]> X, List<bool> Y, List<string> T)[] train)
            {
                var parts = useCfpb ? [.. train, cfpb] : train;
                var head = EmbeddingHead.Train([.. parts.SelectMany(Features)], [.. parts.SelectMany(p => p.Y)], "experiment");
                var features = Features(test);
                return BinaryMetrics.Compute([.. features.Select((x, i) => (head.Score(x), test.Y[i]))]).RocAuc;
            }

            Console.WriteLine($"{mix,-20} Amazon {Auc(amazon, yelp, bankingTrain):F3}  Yelp {Auc(yelp, amazon, bankingTrain):F3}  BANKING77 {Auc(bankingTest, amazon, yelp):F3}");
        }

        break;
    }

    case "train-category":
    {
        // One centroid per category: half from the plain examples written for Amends, half from BANKING77's mapped
        // problem intents where a category has them; measured against the examples alone, on rows neither saw.
        var cache = Option("--cache", Path.Combine(Path.GetTempPath(), "amends-embeddings"));
        using var embeddings = new SentenceEmbeddings(cache);
        var seeds = CategoryData.Seeds.SelectMany(s => s.Value.Select(t => (Text: t, Category: s.Key))).ToList();
        var seedVectors = embeddings.Embed([.. seeds.Select(s => s.Text)], "category-seeds");
        var bankTrain = CategoryData.BankingRows(data, "train.csv");
        var bankTrainVectors = embeddings.Embed([.. bankTrain.Select(s => s.Text)], "category-banking-train");
        var bankTest = CategoryData.BankingRows(data, "test.csv");
        var bankTestVectors = embeddings.Embed([.. bankTest.Select(s => s.Text)], "category-banking-test");
        var cfpb = CategoryData.CfpbRows(data);
        var cfpbVectors = embeddings.Embed([.. cfpb.Select(s => s.Text)], "category-cfpb");

        static float[] Mean(IEnumerable<float[]> vectors)
        {
            var list = vectors.ToList();
            var mean = new double[list[0].Length];
            foreach (var v in list)
            {
                for (var i = 0; i < mean.Length; i++)
                {
                    mean[i] += v[i];
                }
            }

            var norm = Math.Sqrt(mean.Sum(x => x * x));
            return [.. mean.Select(x => (float)(x / norm))];
        }

        var seedOnly = CategoryModel.Build(seeds.Select((s, i) => (s.Category, seedVectors[i])), "examples-only");
        var halves = seeds.Select((s, i) => (s.Category, Vector: seedVectors[i])).GroupBy(x => x.Category).Select(g => (g.Key, Mean(g.Select(x => x.Vector))))
            .Concat(bankTrain.Select((b, i) => (b.Category, Vector: bankTrainVectors[i])).GroupBy(x => x.Category).Select(g => (g.Key, Mean(g.Select(x => x.Vector)))));
        var model = CategoryModel.Build(halves, CategoryModelVersion.Version);

        string Row(string name, string version, List<(string Text, Amends.Domain.Cases.FailureCategory Category)> rows, List<float[]> vectors, CategoryModel m)
        {
            var suggestions = vectors.Select(v => m.Suggest(v)).ToList();
            var top1 = suggestions.Where((s, i) => s.Category == rows[i].Category).Count();
            var top2 = suggestions.Where((s, i) => s.Category == rows[i].Category || s.RunnerUp == rows[i].Category).Count();
            var sure = suggestions.Select((s, i) => (s, i)).Where(x => x.s.Confidence >= 0.6).ToList();
            var sureRight = sure.Count(x => x.s.Category == rows[x.i].Category);
            return string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {version} | {rows.Count:N0} | {100.0 * top1 / rows.Count:F1} % | {100.0 * top2 / rows.Count:F1} % | {100.0 * sureRight / Math.Max(1, sure.Count):F1} % of {100.0 * sure.Count / rows.Count:F0} % |");
        }

        Console.WriteLine("| data set | model | texts | right first | right in the first two | right when confidence ≥ 0.6 (share of texts) |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Row("BANKING77 test, mapped problem intents", "examples only", bankTest, bankTestVectors, seedOnly));
        Console.WriteLine(Row("BANKING77 test, mapped problem intents", model.Version + " (unseen rows)", bankTest, bankTestVectors, model));
        Console.WriteLine(Row("CFPB narratives (1 in 4), mapped issues", "examples only", cfpb, cfpbVectors, seedOnly));
        Console.WriteLine(Row("CFPB narratives (1 in 4), mapped issues", model.Version, cfpb, cfpbVectors, model));
        var output = Option("--out", Path.Combine(root, "src", "Amends.Web", "Features", "Signals", "category-model.tsv"));
        await using (var writer = new StreamWriter(output, false, new UTF8Encoding(false)))
        {
            model.Write(writer);
        }

        Console.WriteLine($"Category model {model.Version} ({model.Categories.Count} categories) -> {output}");
        break;
    }

    case "score":
    {
        var texts = arguments.Skip(1).ToList();
        if (texts.Count == 0)
        {
            while (Console.ReadLine() is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    texts.Add(line);
                }
            }
        }

        var fast = FastModel.Load(shipped);
        using var headReader = new StreamReader(Path.Combine(root, "src", "Amends.Web", "Features", "Signals", "sentence-head.tsv"));
        var head = EmbeddingHead.Read(headReader);
        using var categoryReader = new StreamReader(Path.Combine(root, "src", "Amends.Web", "Features", "Signals", "category-model.tsv"));
        var categories = CategoryModel.Read(categoryReader);
        using var sentence = new Amends.Embeddings.SentenceModel(threads: Environment.ProcessorCount);
        var embedded = sentence.Embed(texts);
        Console.WriteLine($"fast ({fast.Version})\tsentence ({head.Version})\tcategory ({categories.Version})\ttext");
        for (var i = 0; i < texts.Count; i++)
        {
            var category = categories.Suggest(embedded[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fast.Score(texts[i]):F3}\t{head.Score(embedded[i]):F3}\t{category.Category} {category.Confidence:F2}\t{texts[i]}"));
        }

        break;
    }

    default:
        Console.Error.WriteLine("usage: dotnet run --project tools/Amends.Detection -- train-fast|train-model|evaluate|report|score [options]");
        return 2;
}

return 0;

static BinaryMetrics Measure(LinearTextModel model, IReadOnlyList<(string Text, bool Dissatisfied)> rows) =>
    BinaryMetrics.Compute([.. rows.Select(r => (model.Score(r.Text), r.Dissatisfied))]);

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Amends.slnx")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

namespace Amends.Detection
{
    internal static class FastModel
    {
        /// <summary>Raise it when the training mix or the features change, so every score says which model made it.</summary>
        public const string Version = "fast-linear-1";

        public static LinearTextModel Load(string path)
        {
            using var reader = new StreamReader(path);
            return LinearTextModel.Read(reader);
        }
    }

    internal static class CategoryModelVersion
    {
        /// <summary>Raise it when the examples, the mapping or the embedding model change.</summary>
        public const string Version = "minilm-l6-category-1";
    }

    internal static class SentenceHead
    {
        /// <summary>Raise it when the mix, the embedding model or the training changes.</summary>
        public const string Version = "minilm-l6-head-1";
    }

    internal static class Table
    {
        public const string Header = "| data set | model | texts | dissatisfied | ROC-AUC | PR-AUC | precision | recall | F1 |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

        public static string Row(string name, string model, BinaryMetrics m) =>
            string.Create(CultureInfo.InvariantCulture, $"| {name} | {model} | {m.Count:N0} | {m.Positives:N0} | {m.RocAuc:F3} | {m.PrAuc:F3} | {m.Precision:F3} | {m.Recall:F3} | {m.F1:F3} |");
    }
}
