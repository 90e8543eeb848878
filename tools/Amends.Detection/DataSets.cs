using System.Text;
using nietras.SeparatedValues;

namespace Amends.Detection;

/// <summary>
/// The labelled public data in ../shared/data, read as (text, dissatisfied). Licences (../shared/data/README.md): the
/// UCI sentences and BANKING77 are CC BY 4.0 and may train the shipped model; the Zomato reviews have no stated licence
/// and only evaluate; the CFPB complaints are US public data, every row a complaint.
/// </summary>
internal sealed class DataSets(string folder)
{
    /// <summary>BANKING77 intents that are something gone wrong for the customer (the rest are questions and requests).</summary>
    public static readonly HashSet<string> ProblemIntents =
    [
        "Refund_not_showing_up", "balance_not_updated_after_bank_transfer", "balance_not_updated_after_cheque_or_cash_deposit",
        "card_not_working", "card_payment_fee_charged", "card_payment_not_recognised", "card_payment_wrong_exchange_rate", "card_swallowed",
        "cash_withdrawal_charge", "cash_withdrawal_not_recognised", "compromised_card", "contactless_not_working", "declined_card_payment",
        "declined_cash_withdrawal", "declined_transfer", "direct_debit_payment_not_recognised", "extra_charge_on_statement", "failed_transfer",
        "lost_or_stolen_card", "lost_or_stolen_phone", "pin_blocked", "request_refund", "reverted_card_payment?", "top_up_failed",
        "top_up_reverted", "transaction_charged_twice", "transfer_not_received_by_recipient", "unable_to_verify_identity",
        "virtual_card_not_working", "wrong_amount_of_cash_received", "wrong_exchange_rate_for_cash_withdrawal", "terminate_account",
        "beneficiary_not_allowed",
    ];

    public List<(string Text, bool Dissatisfied)> Amazon() => Uci("amazon_cells_labelled.txt");

    public List<(string Text, bool Dissatisfied)> Yelp() => Uci("yelp_labelled.txt");

    private List<(string Text, bool Dissatisfied)> Uci(string file) =>
        ReadLabelled(Path.Combine(folder, "uci_sentiment", file), dissatisfiedLabel: "0");

    public List<(string Text, bool Dissatisfied)> Banking(string file)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(folder, "banking77", file));
        var rows = new List<(string, bool)>();
        foreach (var row in reader)
        {
            rows.Add((row["text"].ToString(), ProblemIntents.Contains(row["category"].ToString())));
        }

        return rows;
    }

    public List<(string Text, bool Dissatisfied)> ShippedTrainingMix() =>
        [.. Uci("amazon_cells_labelled.txt"), .. Uci("yelp_labelled.txt"), .. Banking("train.csv")];

    /// <summary>Each trainable domain, with a training set that leaves it out entirely.</summary>
    public IEnumerable<(string Name, List<(string Text, bool Dissatisfied)> Test, List<(string Text, bool Dissatisfied)> Train)> HeldOutDomains()
    {
        var amazon = Uci("amazon_cells_labelled.txt");
        var yelp = Uci("yelp_labelled.txt");
        var bankingTrain = Banking("train.csv");
        var bankingTest = Banking("test.csv");
        yield return ("UCI Amazon product reviews", amazon, [.. yelp, .. bankingTrain]);
        yield return ("UCI Yelp restaurant reviews", yelp, [.. amazon, .. bankingTrain]);
        yield return ("BANKING77 test (problem intents)", bankingTest, [.. amazon, .. yelp]);
    }

    /// <summary>Data the shipped model never saw, in a domain it was trained on or not.</summary>
    public IEnumerable<(string Name, List<(string Text, bool Dissatisfied)> Test)> EvaluationOnly()
    {
        yield return ("Zomato restaurant reviews (1–2 vs 4–5 stars)", Zomato());
        yield return ("BANKING77 test (problem intents)", Banking("test.csv"));
    }

    /// <summary>Restaurant reviews: 1–2 stars dissatisfied, 4–5 not, 3 and unrated left out. Latin-1, records end in CR.</summary>
    public List<(string Text, bool Dissatisfied)> Zomato()
    {
        var text = File.ReadAllText(Path.Combine(folder, "zomato_reviews", "restaurant_reviews.csv"), Encoding.Latin1);
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromText(text);
        var rows = new List<(string, bool)>();
        foreach (var row in reader)
        {
            var review = row["Review"].ToString();
            if (string.IsNullOrWhiteSpace(review) || !double.TryParse(row["Rating"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var rating))
            {
                continue;
            }

            if (rating <= 2)
            {
                rows.Add((review, true));
            }
            else if (rating >= 4)
            {
                rows.Add((review, false));
            }
        }

        return rows;
    }

    public List<string> CfpbNarratives()
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(folder, "cfpb_complaints", "complaints_sample.csv"));
        var rows = new List<string>();
        foreach (var row in reader)
        {
            var narrative = row["Consumer complaint narrative"].ToString();
            if (!string.IsNullOrWhiteSpace(narrative))
            {
                rows.Add(narrative);
            }
        }

        return rows;
    }

    /// <summary>A <c>text TAB label</c> file; a first line whose label is not a number is a header. Label 1 is dissatisfied unless told otherwise.</summary>
    public static List<(string Text, bool Dissatisfied)> ReadLabelled(string path, string dissatisfiedLabel = "1")
    {
        var rows = new List<(string, bool)>();
        foreach (var line in File.ReadLines(path))
        {
            var tab = line.LastIndexOf('\t');
            if (tab <= 0)
            {
                continue;
            }

            var label = line[(tab + 1)..].Trim();
            if (label is not ("0" or "1"))
            {
                continue;
            }

            rows.Add((line[..tab], label == dissatisfiedLabel));
        }

        return rows;
    }
}
