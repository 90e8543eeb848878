using Amends.Domain.Cases;
using Amends.Domain.Playbooks;
using Amends.Domain.Remedies;
using Amends.Domain.Common;
using Amends.Domain.Customers;
using Amends.Domain.Sla;
using Amends.Domain.Teams;
using Bogus;
using Microsoft.AspNetCore.Identity;

namespace Amends.Web.Persistence.Seeding;

/// <summary>
/// A realistic first-run data set: two teams, a supervisor, five agents, 400 customers and about 240 cases in every
/// state across every failure category, each built through the domain so its timeline reads as it happened.
/// Deterministic (fixed seed), so screenshots and walkthroughs match.
/// </summary>
internal sealed class DemoData(AmendsDbContext db, UserManager<AppUser> users, TimeProvider time, Features.Remedies.LedgerKeys keys, ILogger logger)
{
    public const string AdminEmail = "admin@amends.demo";
    public const string AdminName = "Avery Admin";
    public const string SupervisorEmail = "sam@amends.demo";
    public const string AgentEmail = "alex@amends.demo";

    private static readonly (string Email, string Name, Role Role, int Team)[] Staff =
    [
        (SupervisorEmail, "Sam Supervisor", Role.Supervisor, 0),
        (AgentEmail, "Alex Morgan", Role.Agent, 0),
        ("priya@amends.demo", "Priya Shah", Role.Agent, 0),
        ("jonas@amends.demo", "Jonas Berg", Role.Agent, 0),
        ("maria@amends.demo", "María López", Role.Agent, 1),
        ("tom@amends.demo", "Tom Okafor", Role.Agent, 1),
    ];

    private static readonly Dictionary<FailureCategory, string[]> Summaries = new()
    {
        [FailureCategory.LateDelivery] =
        [
            "Order promised for Tuesday has still not arrived", "Parcel stuck at the depot for six days",
            "Birthday gift arrived two days after the party", "Tracking says delivered but nothing came",
        ],
        [FailureCategory.DefectiveProduct] =
        [
            "Kettle stopped working after one week", "Screen cracked out of the box", "Zip broke the first time the bag was used",
            "Headphones have a loud buzz in the left ear",
        ],
        [FailureCategory.WrongOrder] =
        [
            "Received a size M instead of XL", "Sent the blue sofa cover, ordered grey", "Half of the grocery order was someone else's",
        ],
        [FailureCategory.BillingError] =
        [
            "Charged twice for the same order", "Cancelled subscription still billed this month", "Discount code not applied at checkout",
            "Refund promised three weeks ago has not shown up",
        ],
        [FailureCategory.PoorService] =
        [
            "Agent hung up mid-call", "Waited 50 minutes on hold and nobody answered", "Store staff were rude about a return",
            "Asked the same question four times and got four answers",
        ],
        [FailureCategory.MissedAppointment] =
        [
            "Technician did not turn up for the 9–12 slot", "Installer came on the wrong day", "Delivery slot missed, took a day off for nothing",
        ],
        [FailureCategory.DigitalOutage] =
        [
            "App has been down all evening, cannot access my account", "Payment page keeps timing out",
            "Streaming stopped during the final", "Lost my saved basket after the update",
        ],
        [FailureCategory.Other] = ["Package arrived soaked and smelling of smoke", "Loyalty points disappeared from my account"],
    };

    private static readonly string[] CustomerMessages =
    [
        "This is the second time this has happened and I am really disappointed.",
        "I need this sorted today please, I have been patient.",
        "Can someone actually call me back? Nobody has replied to my emails.",
        "Honestly thinking of taking my business elsewhere.",
        "Thanks for getting back to me. When can I expect an update?",
    ];

    private static readonly string[] Notes =
    [
        "Checked the order history: the carrier marked it as lost in transit.",
        "Customer prefers a phone call after 5pm.",
        "Warehouse confirms the replacement ships tomorrow morning.",
        "Billing team confirms the duplicate charge; refund raised.",
        "Long-standing customer, be generous.",
    ];

    /// <summary>The demo login: every demo user with a password of their own.</summary>
    public static string LoginText(string adminEmail, string adminPassword, IReadOnlyList<(string Email, Role Role, string Password)> staff, string? apiKey, string file)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("================ Amends demo login ================");
        text.AppendLine($"  {"Admin:",-12} {adminEmail}  /  {adminPassword}");
        foreach (var (email, role, password) in staff)
        {
            text.AppendLine($"  {role + ":",-12} {email}  /  {password}");
        }

        if (apiKey is not null)
        {
            text.AppendLine($"  Admin API key (Authorization: Bearer …): {apiKey}");
        }

        text.AppendLine($"  Shown once; kept in {file}. Not valid anywhere else.");
        text.Append("===================================================");
        return text.ToString();
    }

    /// <summary>Seeds the demo data set; returns each demo staff member's generated password.</summary>
    public async Task<IReadOnlyList<(string Email, Role Role, string Password)>> SeedAsync(AppUser admin, Func<string> newPassword, string? adminApiKey, CancellationToken ct)
    {
        // The demo's history happened "in the past": it tells no customer anything now.
        db.RecordingHistory = true;

        var passwords = new List<(string Email, Role Role, string Password)>();
        var now = time.GetUtcNow();
        var faker = new Faker("en") { Random = new Randomizer(20261123) };

        var care = Team.Create("Customer Care", now).Value;
        var billing = Team.Create("Billing & Payments", now).Value;
        var weekdays = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };
        care.SetHours(new BusinessHours("Europe/London",
            [.. weekdays.Append(DayOfWeek.Saturday).Select(d => new BusinessPeriod(d, new TimeOnly(8, 0), new TimeOnly(20, 0)))], []));
        billing.SetHours(new BusinessHours("Europe/London",
            [.. weekdays.SelectMany(d => new[] { new BusinessPeriod(d, new TimeOnly(9, 0), new TimeOnly(12, 30)), new BusinessPeriod(d, new TimeOnly(13, 30), new TimeOnly(17, 30)) })],
            [new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28), new DateOnly(2027, 1, 1)]));
        db.Teams.AddRange(care, billing);
        admin.TeamId = care.Id;
        await db.SaveChangesAsync(ct);

        var staff = new List<AppUser>();
        foreach (var (email, name, role, team) in Staff)
        {
            var user = new AppUser
            {
                Id = Guid.CreateVersion7(),
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = name,
                TeamId = team == 0 ? care.Id : billing.Id,
                CreatedAt = now.UtcDateTime,
            };
            var password = newPassword();
            passwords.Add((email, role, password));
            var result = await users.CreateAsync(user, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
            }

            await users.AddToRoleAsync(user, role.ToString());
            staff.Add(user);
        }

        var supervisor = staff[0];
        care.SetSupervisor(supervisor.UserId);
        billing.SetSupervisor(supervisor.UserId);
        if (adminApiKey is not null)
        {
            db.ApiKeys.Add(Features.Admin.ApiKeyAdmin.NewKey("Demo admin key", adminApiKey, admin.Id, admin.Id, now.UtcDateTime));
        }

        var customers = new List<Customer>();
        for (var i = 0; i < 400; i++)
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            var tier = faker.Random.WeightedRandom([ValueTier.Standard, ValueTier.Silver, ValueTier.Gold, ValueTier.Platinum], [0.6f, 0.25f, 0.1f, 0.05f]);
            var lifetime = tier switch
            {
                ValueTier.Platinum => faker.Random.Long(500_000, 2_000_000),
                ValueTier.Gold => faker.Random.Long(150_000, 500_000),
                ValueTier.Silver => faker.Random.Long(40_000, 150_000),
                _ => faker.Random.Long(1_000, 40_000),
            };
            var hasPhone = faker.Random.Bool(0.7f);
            var others = faker.Random.Bool(0.2f) ? new[] { new ContactPoint(Channel.Social, "@" + (first + last).ToLowerInvariant()) } : [];
            var customer = Customer.Register(
                $"{first} {last}",
                $"{first}.{last}{i}@example.com".ToLowerInvariant().Replace("'", "", StringComparison.Ordinal),
                hasPhone ? faker.Phone.PhoneNumber("+44 7### ######") : null,
                now.AddDays(-faker.Random.Int(100, 1500)),
                tier,
                new Money(lifetime, "EUR"),
                otherContactPoints: others).Value;
            customers.Add(customer);
        }

        db.Customers.AddRange(customers);
        await db.SaveChangesAsync(ct);

        var agents = staff.Where(s => s != supervisor).ToList();
        var library = new Features.Playbooks.PlaybookLibrary(db, time);
        var clocks = new Features.Sla.SlaClocks(db, library);
        var playbooks = new Dictionary<FailureCategory, Amends.Domain.Playbooks.Playbook>();
        foreach (var category in Enum.GetValues<FailureCategory>())
        {
            if (await library.CurrentAsync(category, ct) is { } playbook)
            {
                playbooks[category] = playbook;
            }
        }

        var categories = Enum.GetValues<FailureCategory>();
        var cases = new List<RecoveryCase>();
        var offers = new List<RemedyOffer>();
        for (var i = 0; i < 240; i++)
        {
            var customer = customers[faker.Random.Int(0, customers.Count - 1)];
            var category = categories[i % categories.Length];
            var stage = i % 12;

            // Work in progress is recent; finished work spreads over the last two months.
            var opened = stage < 2 ? now.AddHours(-faker.Random.Double(0.1, 5))
                : stage < 7 ? now.AddHours(-faker.Random.Double(0.5, 60))
                : now.AddHours(-faker.Random.Double(24 * 4, 24 * 60));
            var repeat = cases.Any(c => c.CustomerId == customer.Id);
            var recoveryCase = RecoveryCase.Open(
                customer,
                category,
                faker.Random.WeightedRandom([Severity.Low, Severity.Medium, Severity.High, Severity.Critical], [0.2f, 0.45f, 0.25f, 0.1f]),
                faker.Random.WeightedRandom([Channel.Email, Channel.Phone, Channel.Chat, Channel.Social, Channel.Review, Channel.Web], [0.4f, 0.2f, 0.15f, 0.1f, 0.08f, 0.07f]),
                faker.PickRandom(Summaries[category]),
                null,
                opened,
                repeat).Value;
            var team = category == FailureCategory.BillingError ? billing : care;
            recoveryCase.MoveToTeam(team.Id, agents[0].ToActor(), opened);
            var calendar = team.Calendar();
            var policy = SlaPolicy.Default;
            if (playbooks.TryGetValue(category, out var casePlaybook))
            {
                recoveryCase.ApplyPlaybook(casePlaybook);
                policy = casePlaybook.SlaPolicy;
            }

            if (i is 0 or 12 or 24)
            {
                // A few new cases near their deadline, whatever the time of day, so the At risk view has something to show:
                // opened so that 85 % of the acknowledge time (in the team's hours) has passed.
                opened = OpenedAgo(calendar, policy.For(recoveryCase.Priority).AcknowledgeWithin * 0.85, now);
                recoveryCase = RecoveryCase.Open(customer, category, recoveryCase.Severity, recoveryCase.Channel, recoveryCase.Summary, null, opened, repeat).Value;
                recoveryCase.MoveToTeam(team.Id, agents[0].ToActor(), opened);
                if (playbooks.TryGetValue(category, out var again))
                {
                    recoveryCase.ApplyPlaybook(again);
                }
            }

            void Sync(DateTimeOffset when) => recoveryCase.ReconcileSla(policy, calendar, when);
            Sync(opened);
            recoveryCase.RecordMessage(true, recoveryCase.Channel, faker.PickRandom(CustomerMessages), null, opened.AddMinutes(1));
            if (repeat)
            {
                // As the API does for a second failure within 90 days.
                recoveryCase.Escalate(EscalationReason.RepeatFailure, "A second failure for this customer within 90 days", null, opened.AddMinutes(1));
            }

            var teamAgents = agents.Where(a => a.TeamId == team.Id).ToList();
            var agent = faker.PickRandom(teamAgents).ToActor();
            var step = TimeSpan.FromMinutes(stage < 7 ? faker.Random.Int(5, 60) : faker.Random.Int(30, 600));
            var at = opened + step;
            if (stage >= 2 && at < now)
            {
                recoveryCase.Acknowledge(agent, at);
                Sync(at);
                recoveryCase.RecordMessage(false, recoveryCase.Channel,
                    "I am so sorry this happened. I am looking into it personally and will update you by tomorrow noon.", agent, at.AddMinutes(2));
                Sync(at.AddMinutes(2));
            }
            else if (stage == 1)
            {
                recoveryCase.Assign(agent, team.Id, supervisor.ToActor(), opened.AddMinutes(5));
            }

            if (stage >= 4 && (at += step) < now)
            {
                recoveryCase.StartResolving(agent, at);
                recoveryCase.AddNote(agent, faker.PickRandom(Notes), at.AddMinutes(3));
                Sync(at);
            }

            if (stage == 5 && (at += step) < now)
            {
                recoveryCase.WaitForCustomer(agent, at, "Asked for a photo of the damage");
                Sync(at);
            }

            if (stage >= 7 && (at += step) < now)
            {
                var apologyOnly = category == FailureCategory.PoorService;
                if (!apologyOnly)
                {
                    // A remedy as the product would have recorded it: offered, granted (above 50.00 by the supervisor), chosen, fulfilled.
                    var amount = faker.Random.Int(12, 72) * 100L;
                    var offer = RemedyOffer.Create(recoveryCase.Id, [(RemedyFor(category), null, amount)], "EUR", at.AddDays(7), null, agent, at.AddHours(-3)).Value;
                    offer.Grant(amount > 5_000 ? supervisor.ToActor() : agent, approval: amount > 5_000, null, at.AddHours(-2));
                    offer.Choose(offer.Options[0].Id, at.AddHours(-1));
                    offer.Fulfil($"RF-{faker.Random.Int(100_000, 999_999)}", agent, at);
                    offers.Add(offer);
                    recoveryCase.RecordRemedyDelivered(at);
                }

                recoveryCase.Resolve(agent, at, apologyOnly ? "Apologised personally and coached the team" : "Refund issued and replacement sent", apologyOnly);
                Sync(at);
            }

            if (stage >= 9 && (at += TimeSpan.FromDays(3)) < now)
            {
                recoveryCase.RecordFollowUpSent(at.AddDays(-1));
                var score = stage == 11 ? 2 : faker.Random.Int(4, 5);
                recoveryCase.RecordFollowUp(score, score >= 4 ? "Thanks, that was handled really well." : "Still not happy with how long it took.", at);
                if (score >= 4)
                {
                    recoveryCase.Close(null, at, CaseOutcome.Recovered, null);
                }
                else
                {
                    recoveryCase.Close(agent, at.AddHours(2), CaseOutcome.NotRecovered, "Customer still unhappy after the refund");
                }

                Sync(at);
            }
            else if (stage == 4 && i % 36 == 4 && (at += step) < now)
            {
                // Something for the approvals queue: above the agent's limit, waiting for the supervisor.
                var offer = RemedyOffer.Create(recoveryCase.Id, [(RemedyType.Refund, "Full refund", 8_500L), (RemedyType.Replacement, "Replacement and a voucher", 7_000L)],
                    "EUR", now.AddDays(5), "Third failure for this customer this year", agent, at).Value;
                offer.RequestApproval(Role.Supervisor, at.AddHours(4));
                offers.Add(offer);
            }
            else if (stage == 3 && i % 24 == 3)
            {
                recoveryCase.Close(agent, at.AddMinutes(5), CaseOutcome.Duplicate, "Same as the customer's earlier case");
                Sync(at.AddMinutes(5));
            }

            cases.Add(recoveryCase);
        }

        db.Cases.AddRange(cases);
        foreach (var c in cases)
        {
            await clocks.ScheduleAsync(c, ct);
        }

        await db.SaveChangesAsync(ct);
        await SeedRemediesAsync(offers, ct);
        logger.LogInformation("Seeded demo data: {Customers} customers, {Cases} cases, {Offers} remedy offers, {Staff} staff", customers.Count, cases.Count, offers.Count, staff.Count + 1);
        return passwords;
    }

    /// <summary>The moment from which <paramref name="elapsed"/> of business time has passed by <paramref name="now"/> (a binary search).</summary>
    private static DateTimeOffset OpenedAgo(BusinessCalendar calendar, TimeSpan elapsed, DateTimeOffset now)
    {
        var earliest = now.AddDays(-30);
        var latest = now;
        for (var step = 0; step < 40; step++)
        {
            var middle = earliest + ((latest - earliest) / 2);
            if (calendar.Between(middle, now) > elapsed)
            {
                earliest = middle;
            }
            else
            {
                latest = middle;
            }
        }

        return latest;
    }

    private static RemedyType RemedyFor(FailureCategory category) => category switch
    {
        FailureCategory.DefectiveProduct or FailureCategory.WrongOrder => RemedyType.Replacement,
        FailureCategory.LateDelivery or FailureCategory.MissedAppointment => RemedyType.Discount,
        FailureCategory.DigitalOutage => RemedyType.Gesture,
        _ => RemedyType.Refund,
    };

    /// <summary>The demo offers and their history on the ledger, in the order it happened, so the chain verifies.</summary>
    private async Task SeedRemediesAsync(List<RemedyOffer> offers, CancellationToken ct)
    {
        var ledger = new Features.Remedies.Ledger(db, time, keys);
        var result = await ledger.WriteAsync(async _ =>
        {
            db.Offers.AddRange(offers);
            var events = new List<(DateTime At, string Action, Actor? By, RemedyOffer Offer, long Amount)>();
            foreach (var o in offers)
            {
                var by = new Actor(o.CreatedBy, o.CreatedByName);
                events.Add((o.CreatedAt, "offer.created", by, o, o.MaxAmountMinor));
                if (o.GrantedAt is { } granted)
                {
                    events.Add((granted, o.DecidedBy is null ? "offer.granted" : "approval.approved", o.DecidedBy is { } d ? new Actor(d, o.DecidedByName!) : by, o, o.MaxAmountMinor));
                }
                else
                {
                    events.Add((o.CreatedAt.AddTicks(10), "approval.requested", by, o, o.MaxAmountMinor));
                }

                if (o.ChosenAt is { } chosen)
                {
                    events.Add((chosen, "offer.chosen", by, o, o.Chosen!.AmountMinor));
                }

                if (o.FulfilledAt is { } fulfilled)
                {
                    events.Add((fulfilled, "offer.fulfilled", new Actor(o.FulfilledBy!.Value, o.FulfilledByName!), o, o.Chosen!.AmountMinor));
                }
            }

            foreach (var e in events.OrderBy(e => e.At))
            {
                await ledger.AppendAsync(e.Action, e.By, $"offer:{e.Offer.Id}", e.Offer.CaseId.Value, new Money(e.Amount, e.Offer.Currency), null,
                    new { status = e.Action, e.Offer.Currency }, e.Action == "offer.fulfilled" ? e.Offer.FulfilmentReference : null, new DateTimeOffset(e.At, TimeSpan.Zero), ct);
            }

            return Result<bool>.Ok(true);
        }, ct);
        _ = result;
    }
}
