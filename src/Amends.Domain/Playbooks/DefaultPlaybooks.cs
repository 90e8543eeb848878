using Amends.Domain.Cases;

namespace Amends.Domain.Playbooks;

/// <summary>
/// The playbooks a new installation starts with, one per failure category. Messages apologise sincerely, make no
/// excuses, and say what we will do and by when rather than what we cannot.
/// </summary>
public static class DefaultPlaybooks
{
    private static readonly IReadOnlyDictionary<Priority, SlaHours> StandardSla = new Dictionary<Priority, SlaHours>
    {
        [Priority.Urgent] = new(0.5, 2, 8),
        [Priority.High] = new(1, 4, 16),
        [Priority.Normal] = new(4, 8, 40),
        [Priority.Low] = new(8, 16, 80),
    };

    private static readonly IReadOnlyDictionary<Priority, SlaHours> FastSla = new Dictionary<Priority, SlaHours>
    {
        [Priority.Urgent] = new(0.25, 1, 4),
        [Priority.High] = new(0.5, 2, 8),
        [Priority.Normal] = new(2, 4, 24),
        [Priority.Low] = new(4, 8, 40),
    };

    private const string FollowUp =
        "Hi {{customer.firstName|there}}, a few days ago we put right what went wrong for you. Did we get it right? "
        + "One tap on a score from 1 to 5 tells us, and if anything is still wrong, {{owner.name|we}} will pick it up straight away.";

    public static IReadOnlyDictionary<FailureCategory, PlaybookContent> All { get; } = new Dictionary<FailureCategory, PlaybookContent>
    {
        [FailureCategory.LateDelivery] = Make(
            "Late delivery",
            ["Check the carrier's tracking and the warehouse record", "Tell the customer the real delivery date", "If it is lost, send a replacement by the fastest route",
             "Offer a refund of the delivery charge", "Confirm arrival with the customer"],
            "Hi {{customer.firstName|there}}, I'm sorry your order hasn't arrived when we said it would — that's on us. I'm {{owner.name|your contact}} and I'm tracking it down now. "
                + "You'll hear from me with a firm delivery date by {{nextUpdateBy|tomorrow}}.",
            [RemedyType.Refund, RemedyType.Replacement, RemedyType.Gesture],
            StandardSla),
        [FailureCategory.DefectiveProduct] = Make(
            "Defective product",
            ["Ask for a photo or short description of the fault", "Check warranty and order history", "Offer the customer the choice: replacement, repair or refund",
             "Arrange collection of the faulty item at no cost", "Record the fault for the product team"],
            "Hi {{customer.firstName|there}}, I'm sorry the product you received isn't working as it should. I'm {{owner.name|your contact}} and I'll see this through. "
                + "I'll come back to you with your options — a replacement, a repair or a refund — by {{nextUpdateBy|tomorrow}}.",
            [RemedyType.Replacement, RemedyType.Repair, RemedyType.Refund],
            StandardSla),
        [FailureCategory.WrongOrder] = Make(
            "Wrong order",
            ["Confirm what was ordered and what arrived", "Send the right item at once, before the wrong one comes back", "Arrange a free return of the wrong item",
             "Check the picking record with the warehouse"],
            "Hi {{customer.firstName|there}}, I'm sorry — we sent you the wrong item. I'm {{owner.name|your contact}}: the right one is my priority, and "
                + "I'll confirm when it's on its way by {{nextUpdateBy|tomorrow}}. You won't pay anything to send the wrong one back.",
            [RemedyType.Replacement, RemedyType.Discount, RemedyType.Gesture],
            StandardSla),
        [FailureCategory.BillingError] = Make(
            "Billing error",
            ["Find the charge in the payment records", "Refund the wrong amount in full", "Send the customer the refund reference",
             "Check for the same error on other accounts"],
            "Hi {{customer.firstName|there}}, I'm sorry you were charged incorrectly. I'm {{owner.name|your contact}} and I'm checking the payment now. "
                + "I'll confirm the refund and its reference by {{nextUpdateBy|tomorrow}}.",
            [RemedyType.Refund, RemedyType.Gesture],
            FastSla),
        [FailureCategory.PoorService] = Make(
            "Poor service",
            ["Listen to the whole story and thank the customer for telling us", "Apologise personally, without excuses", "Review the interaction with the team member's lead",
             "Tell the customer what will change"],
            "Hi {{customer.firstName|there}}, thank you for telling us, and I'm sorry — that is not how we want anyone to be treated. I'm {{owner.name|your contact}}. "
                + "I'm looking into what happened and will get back to you personally by {{nextUpdateBy|tomorrow}}.",
            [RemedyType.ApologyOnly, RemedyType.Gesture, RemedyType.Discount],
            StandardSla),
        [FailureCategory.MissedAppointment] = Make(
            "Missed appointment",
            ["Apologise and offer the earliest slot the customer wants", "Book it and confirm the time window", "Compensate the wasted time",
             "Remind the customer the day before"],
            "Hi {{customer.firstName|there}}, I'm sorry we missed your appointment and wasted your time. I'm {{owner.name|your contact}}. "
                + "I'll offer you new times that suit you by {{nextUpdateBy|today}}, at the top of the list.",
            [RemedyType.Gesture, RemedyType.Discount, RemedyType.Refund],
            FastSla),
        [FailureCategory.DigitalOutage] = Make(
            "Digital outage",
            ["Link the case to the incident if there is one", "Tell the customer what is affected and what still works", "Update them when service is back",
             "Credit the lost time where they pay for it"],
            "Hi {{customer.firstName|there}}, I'm sorry our service let you down. I'm {{owner.name|your contact}}. Our engineers are on it, and "
                + "I'll update you by {{nextUpdateBy|the end of the day}}, or sooner once it's fixed.",
            [RemedyType.Discount, RemedyType.Gesture, RemedyType.Refund],
            FastSla),
        [FailureCategory.Other] = Make(
            "General recovery",
            ["Understand the problem in the customer's words", "Agree what a good outcome looks like for them", "Put it right", "Check they are happy"],
            "Hi {{customer.firstName|there}}, I'm sorry about what happened. I'm {{owner.name|your contact}} and I'll handle this personally. "
                + "You'll hear from me by {{nextUpdateBy|tomorrow}}.",
            [RemedyType.Gesture, RemedyType.Refund, RemedyType.ApologyOnly],
            StandardSla),
    };

    private static PlaybookContent Make(string name, string[] steps, string acknowledgement, RemedyType[] remedies, IReadOnlyDictionary<Priority, SlaHours> sla) =>
        new(
            name,
            steps,
            new Dictionary<TemplateKind, string>
            {
                [TemplateKind.Acknowledgement] = acknowledgement,
                [TemplateKind.ProgressUpdate] = "Hi {{customer.firstName|there}}, an update on {{case.summary}}: [what has happened]. Next, [what happens next], and I'll be back in touch by {{nextUpdateBy|tomorrow}}. — {{owner.name|The team}}",
                [TemplateKind.Resolution] = "Hi {{customer.firstName|there}}, {{case.summary}} is now put right: [what we did]. I'm sorry again for the trouble. If anything is not as it should be, reply here and I'll pick it up. — {{owner.name|The team}}",
                [TemplateKind.FollowUp] = FollowUp,
            },
            remedies,
            sla,
            FollowUpAfterDays: 3,
            FollowUpReminders: 1);
}
