using Amends.Domain.Cases;
using nietras.SeparatedValues;

namespace Amends.Detection;

/// <summary>
/// What the category model learns from and is measured on: a dozen plain example sentences per category written for
/// Amends (any business, any channel), BANKING77's problem intents mapped to our categories, and CFPB complaint issues
/// mapped where the mapping is clear (the rest is left out of the measurement rather than forced).
/// </summary>
internal static class CategoryData
{
    public static readonly IReadOnlyDictionary<FailureCategory, string[]> Seeds = new Dictionary<FailureCategory, string[]>
    {
        [FailureCategory.LateDelivery] =
        [
            "My order still has not arrived.", "The parcel is two weeks late.", "Where is my package? It was due on Monday.",
            "The delivery never came.", "Tracking has said out for delivery for five days.", "I am still waiting for my refund to show up.",
            "The money I sent has not reached the other account.", "It was supposed to be here yesterday.", "My transfer is still pending after a week.",
            "The courier keeps postponing my delivery.", "Nothing has arrived and nobody can tell me when.", "The replacement you promised never turned up.",
        ],
        [FailureCategory.DefectiveProduct] =
        [
            "The kettle stopped working after two days.", "It arrived broken.", "The screen is cracked.", "My card does not work in any shop.",
            "The product is faulty and keeps switching off.", "The zip broke the first time I used it.", "The machine leaks water everywhere.",
            "It does not charge any more.", "The item is damaged and unusable.", "The app on the device crashes whenever I open it.",
            "Contactless payments fail with this card.", "The heater makes a burning smell.",
        ],
        [FailureCategory.WrongOrder] =
        [
            "You sent me the wrong item.", "I ordered a large and got a small.", "This is not what I ordered.", "Half of my order is missing.",
            "The colour is wrong.", "I received someone else's parcel.", "The cash machine gave me the wrong amount.", "There were only two in the box, not three.",
            "You delivered a different model.", "The pizza had the wrong toppings.", "My order was mixed up with another one.", "A part was missing from the box.",
        ],
        [FailureCategory.BillingError] =
        [
            "I was charged twice for the same order.", "There is a charge on my statement I do not recognise.", "You took more money than the price.",
            "I was charged a fee nobody told me about.", "The exchange rate you used is wrong.", "I was billed after I cancelled.",
            "My invoice is wrong.", "You are asking me to pay a debt I do not owe.", "The discount was not applied.", "The refund amount is less than I paid.",
            "I keep being charged interest I did not agree to.", "A direct debit I never set up took money from my account.",
        ],
        [FailureCategory.PoorService] =
        [
            "The staff member was rude to me.", "Nobody answers my e-mails.", "I was on hold for an hour and then cut off.", "Your agent hung up on me.",
            "I have explained this three times and nobody listens.", "The support team keeps sending me the same useless reply.",
            "I was treated with no respect in your shop.", "Nobody has bothered to get back to me.", "They promised to call me back and never did.",
            "The manager refused to help.", "Every time I call I get a different answer.", "Your investigation ignored everything I sent.",
        ],
        [FailureCategory.MissedAppointment] =
        [
            "The engineer did not turn up.", "I took a day off and nobody came.", "The installer missed the appointment again.",
            "My booking was cancelled without telling me.", "The technician never showed up for the repair.", "I waited at home all day for the visit.",
            "You cancelled my reservation at the last minute.", "The driver did not come to collect the item.", "My appointment was not in your system when I arrived.",
            "The fitter arrived four hours late and then left.", "Nobody came for the inspection we booked.", "The table we booked was given away.",
        ],
        [FailureCategory.DigitalOutage] =
        [
            "The app keeps crashing when I try to pay.", "Your website is down.", "I cannot log in to my account.", "My payment was declined for no reason.",
            "The transfer failed with an error.", "The checkout page gives an error.", "I cannot verify my identity in the app.", "The top up failed.",
            "The service has been down all morning.", "I get an error message every time I try.", "The app logs me out in the middle of a payment.",
            "My card payment was declined although I have money.",
        ],
        [FailureCategory.Other] =
        [
            "I want to close my account.", "I am not happy with your new terms.", "Please delete my data.", "I do not like the change you made.",
            "This is not good enough.", "I am very disappointed.", "I want to speak to someone about my experience.", "Your policy is unfair.",
            "I would like to make a complaint.", "I am thinking of leaving.", "The price went up again.", "I have a problem with my account.",
        ],
    };

    public static readonly IReadOnlyDictionary<string, FailureCategory> Banking = new Dictionary<string, FailureCategory>
    {
        ["card_arrival"] = FailureCategory.LateDelivery, ["transfer_not_received_by_recipient"] = FailureCategory.LateDelivery,
        ["pending_transfer"] = FailureCategory.LateDelivery, ["pending_top_up"] = FailureCategory.LateDelivery,
        ["pending_card_payment"] = FailureCategory.LateDelivery, ["pending_cash_withdrawal"] = FailureCategory.LateDelivery,
        ["balance_not_updated_after_bank_transfer"] = FailureCategory.LateDelivery,
        ["balance_not_updated_after_cheque_or_cash_deposit"] = FailureCategory.LateDelivery, ["Refund_not_showing_up"] = FailureCategory.LateDelivery,
        ["card_not_working"] = FailureCategory.DefectiveProduct, ["contactless_not_working"] = FailureCategory.DefectiveProduct,
        ["virtual_card_not_working"] = FailureCategory.DefectiveProduct, ["card_swallowed"] = FailureCategory.DefectiveProduct,
        ["wrong_amount_of_cash_received"] = FailureCategory.WrongOrder,
        ["extra_charge_on_statement"] = FailureCategory.BillingError, ["card_payment_fee_charged"] = FailureCategory.BillingError,
        ["transfer_fee_charged"] = FailureCategory.BillingError, ["cash_withdrawal_charge"] = FailureCategory.BillingError,
        ["top_up_by_card_charge"] = FailureCategory.BillingError, ["top_up_by_bank_transfer_charge"] = FailureCategory.BillingError,
        ["card_payment_wrong_exchange_rate"] = FailureCategory.BillingError, ["wrong_exchange_rate_for_cash_withdrawal"] = FailureCategory.BillingError,
        ["direct_debit_payment_not_recognised"] = FailureCategory.BillingError, ["card_payment_not_recognised"] = FailureCategory.BillingError,
        ["cash_withdrawal_not_recognised"] = FailureCategory.BillingError, ["transaction_charged_twice"] = FailureCategory.BillingError,
        ["declined_card_payment"] = FailureCategory.DigitalOutage, ["declined_transfer"] = FailureCategory.DigitalOutage,
        ["declined_cash_withdrawal"] = FailureCategory.DigitalOutage, ["failed_transfer"] = FailureCategory.DigitalOutage,
        ["top_up_failed"] = FailureCategory.DigitalOutage, ["top_up_reverted"] = FailureCategory.DigitalOutage,
        ["unable_to_verify_identity"] = FailureCategory.DigitalOutage,
    };

    public static readonly IReadOnlyDictionary<string, FailureCategory> Cfpb = new Dictionary<string, FailureCategory>
    {
        ["Attempts to collect debt not owed"] = FailureCategory.BillingError, ["Cont'd attempts collect debt not owed"] = FailureCategory.BillingError,
        ["Problem with a purchase shown on your statement"] = FailureCategory.BillingError, ["Fees or interest"] = FailureCategory.BillingError,
        ["Charged fees or interest you didn't expect"] = FailureCategory.BillingError, ["Unexpected or other fees"] = FailureCategory.BillingError,
        ["Problem with a lender or other company charging your account"] = FailureCategory.BillingError,
        ["Problem with a credit reporting company's investigation into an existing problem"] = FailureCategory.PoorService,
        ["Communication tactics"] = FailureCategory.PoorService, ["Dealing with your lender or servicer"] = FailureCategory.PoorService,
        ["Trouble using your card"] = FailureCategory.DigitalOutage,
    };

    /// <summary>BANKING77 rows of the mapped intents, with their category.</summary>
    public static List<(string Text, FailureCategory Category)> BankingRows(string folder, string file)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(folder, "banking77", file));
        var rows = new List<(string, FailureCategory)>();
        foreach (var row in reader)
        {
            if (Banking.TryGetValue(row["category"].ToString(), out var category))
            {
                rows.Add((row["text"].ToString(), category));
            }
        }

        return rows;
    }

    /// <summary>CFPB narratives (1 in 4, as the dissatisfaction figures take them) whose issue maps clearly to a category.</summary>
    public static List<(string Text, FailureCategory Category)> CfpbRows(string folder)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(Path.Combine(folder, "cfpb_complaints", "complaints_sample.csv"));
        var rows = new List<(string, FailureCategory)>();
        var index = 0;
        foreach (var row in reader)
        {
            var narrative = row["Consumer complaint narrative"].ToString();
            if (string.IsNullOrWhiteSpace(narrative))
            {
                continue;
            }

            if (index++ % 4 == 0 && Cfpb.TryGetValue(row["Issue"].ToString(), out var category))
            {
                rows.Add((narrative, category));
            }
        }

        return rows;
    }
}
