using Amends.Domain.Signals;
using Amends.Web.Features.Signals;
using Bogus;
using Microsoft.EntityFrameworkCore;

namespace Amends.Web.Persistence.Seeding;

/// <summary>
/// What the demo's survey tool, review sites, shop and chat widget reported over the last two weeks, taken in through
/// the signals API's own path: most customers are content, a few are not, and those open or join cases as they would.
/// </summary>
internal static class DemoSignals
{
    private static readonly (string Kind, string? Type, int? Score, string? Site, string? Event, string? Text)[] Reports =
    [
        ("Survey", "Nps", 10, null, null, "Quick delivery and friendly people, thank you."),
        ("Survey", "Nps", 9, null, null, "Great as always."),
        ("Survey", "Nps", 8, null, null, null),
        ("Survey", "Csat", 5, null, null, "The agent sorted it out in minutes."),
        ("Survey", "Nps", 2, null, null, "Third order in a row that arrived late. I am cancelling my membership and switching to another shop."),
        ("Survey", "Csat", 1, null, null, "Still no refund after three weeks and nobody answers my emails."),
        ("Survey", "Ces", 6, null, null, "I had to call four times to change one address."),
        ("Review", null, 5, "Trustpilot", null, "Lovely quality and it came the next day."),
        ("Review", null, 4, "Google", null, "Good value, the box was a bit damaged."),
        ("Review", null, 1, "Trustpilot", null, "Rude on the phone and the kettle was broken. Avoid."),
        ("Review", null, 2, "Google", null, "Waited 40 minutes on hold, then they hung up on me."),
        ("Behaviour", null, null, null, "OrderPlaced", null),
        ("Behaviour", null, null, null, "OrderPlaced", null),
        ("Behaviour", null, null, null, "DeliveryLate", null),
        ("Behaviour", null, null, null, "SubscriptionCancelled", null),
        ("Message", null, null, null, null, "Hi, can I change the colour of my order before it ships?"),
        ("Message", null, null, null, null, "This is the second time I ask: where is my parcel? I want to speak to a manager."),
    ];

    public static async Task IngestAsync(IServiceProvider services, AmendsDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var emails = await db.Customers.AsNoTracking().Where(c => c.Email != null).OrderBy(c => c.CreatedAt).Select(c => c.Email!).Take(200).ToListAsync(ct);
        if (emails.Count == 0)
        {
            return;
        }

        var faker = new Faker("en") { Random = new Randomizer(20261201) };
        var requests = new List<SignalRequest?>();
        for (var i = 0; i < 60; i++)
        {
            var r = Reports[i % Reports.Length];
            var source = r.Kind switch { "Survey" => "survey-tool", "Review" => "reviews", "Behaviour" => "shop", _ => "chat-widget" };
            requests.Add(new SignalRequest(
                source, $"demo-{i}", r.Kind, now.AddHours(-faker.Random.Double(1, 24 * 14)), new SignalCustomer(Email: faker.PickRandom(emails)),
                SurveyType: r.Type, Score: r.Kind == "Survey" ? r.Score : null, Rating: r.Kind == "Review" ? r.Score : null, Site: r.Site,
                Event: r.Event, Value: r.Event == "OrderPlaced" ? faker.Random.Int(20, 240) : null, Channel: r.Kind == "Message" ? "Chat" : null, Text: r.Text));
        }

        // The Leeds depot has a bad day: nine late deliveries this afternoon, where one is usual at that time of the week.
        for (var week = 1; week <= 4; week++)
        {
            requests.Add(Late($"demo-leeds-{week}", now.AddDays(-7 * week).AddHours(-3), faker.PickRandom(emails)));
        }

        foreach (var (email, i) in faker.PickRandom(emails, 9).Select((e, i) => (e, i)))
        {
            requests.Add(Late($"demo-leeds-now-{i}", now.AddMinutes(-20 - 30 * i), email));
        }

        var intake = services.GetRequiredService<SignalIntake>();
        await intake.IngestAsync(requests, ct);

        // The sentence model reads them now, in the seeding's own context, and what it finds acts now too: the demo's
        // signals are history like its cases, so nothing of it tells a customer anything once the app runs.
        var model = services.GetRequiredService<ModelScoring>();
        while (await model.RunOnceAsync(ct, context: db) > 0)
        {
        }

        db.ChangeTracker.Clear();
        foreach (var id in await db.Signals.Where(s => s.Action == SignalAction.Pending).Select(s => s.Id).ToListAsync(ct))
        {
            await intake.ActAsync(id, ct);
        }

        db.ChangeTracker.Clear();
        await services.GetRequiredService<IncidentWatch>().CheckAsync(ct);
    }

    private static SignalRequest Late(string id, DateTimeOffset at, string email) =>
        new("shop", id, "Behaviour", at, new SignalCustomer(Email: email), Event: "DeliveryLate", Location: "Leeds depot");
}
