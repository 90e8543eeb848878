using System.Net;
using System.Text.Json;
using Amends.Domain.Cases;
using Amends.Domain.Signals;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Features.Signals;
using Amends.Web.Persistence;
using Amends.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Amends.Web.Tests.Signals;

/// <summary>The signals API: storing each signal once, finding its customer, and acting on the risky ones.</summary>
public abstract class SignalTests(TestApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private static object Message(string externalId, string email, string text, DateTimeOffset? at = null, string? orderReference = null) =>
        new { source = "chat-widget", externalId, kind = "Message", occurredAt = at ?? Now, customer = new { email }, text, orderReference };

    private async Task<int> CountAsync(string source)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<AmendsDbContext>().Signals.CountAsync(s => s.Source == source, Ct);
    }

    [Fact]
    public async Task The_smallest_message_is_stored_once_and_a_replay_answers_with_its_current_state()
    {
        var externalId = Unique("msg");
        var email = Unique("quiet") + "@example.com";
        var body = new { source = "Chat-Widget", externalId, kind = "Message", occurredAt = Now, customer = new { email }, text = "Could you tell me when the shop opens on Sunday?" };

        using var first = await app.Agent.PostJsonAsync("/api/signals", body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var stored = await first.ReadAsync<SignalResult>();
        Assert.Equal(SignalAction.None, stored.Action);
        Assert.Null(stored.CaseId);
        Assert.Empty(stored.Cues);
        Assert.Equal("fast-linear-1", stored.ModelVersion);
        Assert.Equal($"/api/signals/{stored.SignalId}", first.Headers.Location?.OriginalString);

        using var again = await app.Agent.PostJsonAsync("/api/signals", body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replayed = await again.ReadAsync<SignalResult>();
        Assert.True(replayed.Replayed);
        Assert.Equal(stored.SignalId, replayed.SignalId);

        // The source is matched as one name whatever its case; the customer was created from the e-mail.
        var signal = await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{stored.SignalId}");
        Assert.Equal(("chat-widget", externalId, SignalKind.Message), (signal.Source, signal.ExternalId, signal.Kind));
        Assert.Equal(Amends.Domain.Common.Channel.Web, signal.Channel);
        var customer = (await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{signal.CustomerId}")).Customer;
        Assert.Equal(email, customer.Email);
        Assert.Single((await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={signal.CustomerId}")).Items);
    }

    [Fact]
    public async Task A_detractor_who_says_they_will_leave_gets_a_case_with_the_reason_on_its_timeline()
    {
        var email = Unique("leaving") + "@example.com";
        var result = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "survey-tool", externalId = Unique("nps"), kind = "Survey", surveyType = "Nps", score = 1, occurredAt = Now,
            customer = new { email, name = "Dana Leaving" },
            text = "Third time my order arrives broken. I am cancelling my account and switching to your competitor.",
        });

        Assert.Equal(SignalAction.Opened, result.Action);
        Assert.NotNull(result.CaseId);
        Assert.True(result.Risk >= 60, $"risk {result.Risk}");
        Assert.Contains(result.Cues, c => c.Code == "detractor");
        Assert.Contains(result.Cues, c => c.Code == "churn");
        Assert.Contains(result.Cues, c => c.Code == "repeated");
        Assert.StartsWith("Gave an NPS of 1 out of 10", result.Reason, StringComparison.Ordinal);

        var opened = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{result.CaseId}");
        Assert.Equal(result.CaseNumber, opened.Number);
        Assert.Equal("Dana Leaving", opened.Customer.Name);
        Assert.StartsWith("Detected · NPS 1: Third time", opened.Summary, StringComparison.Ordinal);
        Assert.Equal(Amends.Domain.Common.Channel.Email, opened.Channel);
        var entry = Assert.Single(opened.Timeline, e => e.Kind == TimelineEntryKind.Signal);
        Assert.Equal(result.SignalId, entry.SignalId);
        Assert.Contains("risk " + result.Risk + "/100", entry.Body, StringComparison.Ordinal);
        Assert.Contains("switching to your competitor", entry.Body, StringComparison.Ordinal);

        // The signal remembers the case it opened, and lists under it.
        Assert.Equal(result.CaseId, (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{result.SignalId}")).CaseId);
        Assert.Single((await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?caseId={result.CaseId}")).Items);
    }

    [Fact]
    public async Task A_customer_whose_message_opened_a_case_hears_at_once_that_it_is_in_hand_and_by_when()
    {
        var message = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "chat-widget", externalId = Unique("m"), kind = "Message", channel = "Email", occurredAt = Now,
            customer = new { email = Unique("heard") + "@example.com", name = "Hana Heard" },
            text = "Still no refund after three weeks. I am cancelling my account and I want to speak to a manager.",
        });
        Assert.Equal(SignalAction.Opened, message.Action);

        // In the outbox in the same write that opened the case: the customer's acknowledgement, with the SLA's time.
        var queued = Assert.Single((await app.Supervisor.GetJsonAsync<Paged<Amends.Web.Features.Messaging.OutboxItem>>($"/api/outbox?caseId={message.CaseId}")).Items);
        Assert.Equal(Amends.Domain.Messaging.MessageKind.Update, queued.Kind);
        var body = (await app.Supervisor.GetJsonAsync<Amends.Web.Features.Messaging.OutboxMessage>($"/api/outbox/{queued.Id}")).TextBody;
        Assert.StartsWith("Hi Hana,", body);
        Assert.Contains("Thank you for telling us, and we are sorry it went wrong. Someone from our team will look into it and get back to you by ", body);

        // A comment written weeks ago (an import of old survey answers) opens its case without thanking anyone now.
        var old = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "chat-widget", externalId = Unique("m"), kind = "Message", channel = "Email", occurredAt = Now.AddDays(-20),
            customer = new { email = Unique("long-ago") + "@example.com" },
            text = "Still no refund after three weeks. I am cancelling my account and I want to speak to a manager.",
        });
        Assert.Equal(SignalAction.Opened, old.Action);
        Assert.Empty((await app.Supervisor.GetJsonAsync<Paged<Amends.Web.Features.Messaging.OutboxItem>>($"/api/outbox?caseId={old.CaseId}")).Items);

        // A public review is answered in public, and a behaviour event was never addressed to us: no such message.
        var review = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "reviews", externalId = Unique("r"), kind = "Review", rating = 1, site = "Trustpilot", occurredAt = Now,
            customer = new { email = Unique("reviewer") + "@example.com" }, text = "Broken on arrival and nobody answers. Never again.",
        });
        var cancelled = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "shop", externalId = Unique("b"), kind = "Behaviour", @event = "SubscriptionCancelled", occurredAt = Now,
            customer = new { email = Unique("leaver") + "@example.com" },
        });
        Assert.Equal(SignalAction.Opened, review.Action);
        foreach (var opened in new[] { review, cancelled }.Where(s => s.CaseId is not null))
        {
            Assert.Empty((await app.Supervisor.GetJsonAsync<Paged<Amends.Web.Features.Messaging.OutboxItem>>($"/api/outbox?caseId={opened.CaseId}")).Items);
        }
    }

    [Fact]
    public async Task An_agent_says_whether_detection_was_right_and_detection_counts_it()
    {
        var opened = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), Unique("judged") + "@example.com",
            "I want to speak to a manager. Still no refund and I am cancelling my account."));
        Assert.Equal(SignalAction.Opened, opened.Action);
        var before = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");

        var wrong = await app.Agent.PostJsonAsync<CaseDetail>($"/api/cases/{opened.CaseId}/detection-verdict", new { verdict = "NotAProblem" });
        Assert.Equal((DetectionVerdict.NotAProblem, opened.Risk), (wrong.DetectionVerdict!.Value, wrong.DetectedRisk!.Value));
        var right = await app.Agent.PostJsonAsync<CaseDetail>($"/api/cases/{opened.CaseId}/detection-verdict", new { verdict = "Confirmed" });
        Assert.Equal(DetectionVerdict.Confirmed, right.DetectionVerdict);
        Assert.Equal(2, right.Timeline.Count(e => e.Kind == TimelineEntryKind.DetectionJudged && e.ActorId == app.AgentUser.Id));
        Assert.Contains(right.Timeline, e => e.Body == "Detection confirmed: this customer was unhappy, and detection was right to raise it.");

        var after = await app.Admin.GetJsonAsync<DetectionStatus>("/api/detection/status");
        Assert.Equal((before.Confirmed + 1, before.NotAProblem, before.Unjudged - 1), (after.Confirmed, after.NotAProblem, after.Unjudged));

        // A case a person opened is not detection's to be judged; a verdict is one of the two words.
        var byHand = await app.Agent.CaseAsync();
        using (var notDetected = await app.Agent.PostJsonAsync($"/api/cases/{byHand.Id}/detection-verdict", new { verdict = "Confirmed" }))
        {
            await notDetected.AssertProblemAsync(HttpStatusCode.BadRequest, "case.not_detected");
        }

        using var unknown = await app.Agent.PostJsonAsync($"/api/cases/{opened.CaseId}/detection-verdict", new { verdict = "Maybe" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task The_case_list_filters_detected_cases_and_sorts_them_by_risk()
    {
        async Task<SignalResult> Review(int rating, string text) => await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "reviews", externalId = Unique("rev"), kind = "Review", rating, site = "Google", occurredAt = Now,
            customer = new { email = Unique("risk") + "@example.com" }, text,
        });
        var lower = await Review(1, "Still waiting for my parcel.");
        var higher = await Review(1, "Rude, broken, and still no refund. I am switching to your competitor and telling everyone.");
        var byHand = await app.Agent.CaseAsync();
        Assert.True(higher.Risk > lower.Risk, $"{higher.Risk} vs {lower.Risk}");
        Assert.Equal((SignalAction.Opened, SignalAction.Opened), (lower.Action, higher.Action));

        var detected = await app.Agent.GetJsonAsync<Paged<CaseListItem>>("/api/cases?status=open&sort=risk&pageSize=200");
        var ids = detected.Items.Select(i => i.Id).ToList();
        Assert.True(ids.IndexOf(higher.CaseId!.Value) is >= 0 and var h && ids.IndexOf(lower.CaseId!.Value) is var l && h < l, "riskier first");
        Assert.DoesNotContain(byHand.Id, ids);
        var notDetected = await app.Agent.GetJsonAsync<Paged<CaseListItem>>($"/api/cases?detected=false&customerId={byHand.Customer.Id}");
        Assert.Equal(byHand.Id, Assert.Single(notDetected.Items).Id);
        using var bad = await app.Agent.GetAsync("/api/cases?sort=loudest", Ct);
        await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "case.sort_invalid");
    }

    [Fact]
    public async Task A_further_negative_signal_goes_onto_the_open_case_and_a_content_one_acts_on_nothing()
    {
        var c = await app.Agent.CaseAsync();
        var email = c.Customer.Email!;

        var review = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "reviews", externalId = Unique("rev"), kind = "Review", rating = 2, site = "Trustpilot", occurredAt = Now,
            customer = new { email }, text = "Still no refund after three weeks.",
        });
        Assert.Equal((SignalAction.Attached, c.Id), (review.Action, review.CaseId));
        var after = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}");
        Assert.StartsWith("2-star review on Trustpilot from reviews", Assert.Single(after.Timeline, e => e.Kind == TimelineEntryKind.Signal).Body, StringComparison.Ordinal);

        var happy = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "survey-tool", externalId = Unique("csat"), kind = "Survey", surveyType = "Csat", score = 5, occurredAt = Now,
            customer = new { email }, text = "Lovely people, thank you!",
        });
        Assert.Equal(SignalAction.None, happy.Action);
        Assert.Null(happy.CaseId);
        Assert.Single((await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{c.Id}")).Timeline, e => e.Kind == TimelineEntryKind.Signal);
    }

    [Fact]
    public async Task A_batch_stores_its_valid_items_and_reports_each_bad_one_with_its_fields()
    {
        var source = Unique("batch");
        var good = new { source, externalId = "1", kind = "Behaviour", @event = "OrderPlaced", value = 42.5m, occurredAt = Now, customer = new { externalId = Unique("crm") } };
        var items = new object[]
        {
            good,
            new { source, externalId = "2", kind = "Feeling", occurredAt = Now, customer = new { email = Unique("b") + "@example.com" } },
            new { source, externalId = "3", kind = "Survey", surveyType = "Nps", score = 11, customer = new { email = "not an address" } },
            good,
            new { source, externalId = "5", kind = "Survey", surveyType = "Csat", score = "five", occurredAt = Now, customer = new { email = Unique("c") + "@example.com" } },
            new { source, externalId = "6", kind = "Message", occurredAt = Now, customer = new { phone = "+44 20 7946 " + Random.Shared.Next(1000, 9999) }, text = "Hello there" },
            "not an object",
        };

        var result = await app.Agent.PostJsonAsync<SignalBatchResult>("/api/signals/batch", new { items });

        Assert.Equal(["Stored", "Invalid", "Invalid", "Replayed", "Invalid", "Stored", "Invalid"], result.Results.Select(r => r.Status));
        Assert.Equal(Enumerable.Range(0, items.Length), result.Results.Select(r => r.Index));
        Assert.Equal((2, 1, 4), (result.Stored, result.Replayed, result.Invalid));
        Assert.Equal(result.Results[0].SignalId, result.Results[3].SignalId);
        Assert.Contains("kind", result.Results[1].Errors!.Keys);
        Assert.Equal(["customer.email", "occurredAt", "score"], result.Results[2].Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("score", result.Results[4].Errors!.Keys);
        Assert.Equal(2, await CountAsync(source));

        // The same batch again stores nothing new.
        var again = await app.Agent.PostJsonAsync<SignalBatchResult>("/api/signals/batch", new { items });
        Assert.Equal((0, 3, 4), (again.Stored, again.Replayed, again.Invalid));
        Assert.Equal(2, await CountAsync(source));
    }

    [Fact]
    public async Task Batches_at_once_with_the_same_new_customers_store_everything_and_make_each_customer_once()
    {
        var source = Unique("overlap");
        var emails = Enumerable.Range(0, 150).Select(i => $"{source}-{i}@example.com").ToList();
        object Batch(int b) => new
        {
            items = Enumerable.Range(0, 300).Select(i => new
            {
                source, externalId = $"{b}-{i}", kind = "Survey", surveyType = "Nps", score = i % 11, occurredAt = Now,
                customer = new { email = emails[(b % 2 == 0 ? i : 299 - i) % emails.Count] }, text = i % 3 == 0 ? "Still no refund, I am cancelling my account." : null,
            }),
        };

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(b => app.Agent.PostJsonAsync<SignalBatchResult>("/api/signals/batch", Batch(b))));

        Assert.All(results, r => Assert.Equal((300, 0), (r.Stored, r.Invalid)));
        Assert.Equal(1200, await CountAsync(source));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
        Assert.Equal(150, await db.Customers.CountAsync(c => c.Email != null && c.Email.StartsWith(source), Ct));
    }

    [Fact]
    public async Task A_batch_is_limited_to_a_thousand_items_and_8_MiB()
    {
        var item = new { source = "x", externalId = "1", kind = "Message", occurredAt = Now, customer = new { email = "a@example.com" }, text = "hi" };
        using var tooMany = await app.Agent.PostJsonAsync("/api/signals/batch", new { items = Enumerable.Repeat(item, 1001) });
        await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest, "signal.batch_too_large");
        using var empty = await app.Agent.PostJsonAsync("/api/signals/batch", new { items = Array.Empty<object>() });
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest, "signal.batch_empty");

        // 2 MiB is more than any other endpoint takes and fine here; 9 MiB is not.
        var text = new string('a', 9_000);
        using var big = await app.Agent.PostJsonAsync("/api/signals/batch", new
        {
            items = Enumerable.Range(0, 230).Select(i => new { source = Unique("big"), externalId = "1", kind = "Message", occurredAt = Now, customer = new { email = "big@example.com" }, text }),
        });
        Assert.Equal(HttpStatusCode.OK, big.StatusCode);
        using var huge = await app.Agent.PostAsync("/api/signals/batch",
            new StringContent("{\"items\":[\"" + new string('a', 9 * 1024 * 1024) + "\"]}", System.Text.Encoding.UTF8, "application/json"), Ct);
        await huge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "request.too_large");
    }

    [Fact]
    public async Task A_single_signal_with_several_faults_names_every_field()
    {
        using var response = await app.Agent.PostJsonAsync("/api/signals", new { kind = "Review", rating = 0, occurredAt = Now });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "signal.invalid");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["customer", "externalId", "rating", "site", "source"], fields.Order());

        using var phone = await app.Agent.PostJsonAsync("/api/signals", new { source = "sms", externalId = Unique("p"), kind = "Message", occurredAt = Now, customer = new { phone = "call me" }, text = "hi" });
        var bad = await phone.AssertProblemAsync(HttpStatusCode.BadRequest, "customer.phone_invalid");
        Assert.True(bad.GetProperty("errors").TryGetProperty("customer.phone", out _));
    }

    [Fact]
    public async Task Customers_are_found_by_external_id_then_e_mail_then_phone_and_learn_their_external_id()
    {
        var email = Unique("match") + "@example.com";
        var crm = Unique("crm");
        var phone = "+1 555 01" + Random.Shared.Next(10000, 99999);
        var byEmail = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Hello"));
        var first = (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{byEmail.SignalId}")).CustomerId;

        // The same e-mail with an external id: the same customer, who now has it.
        var learned = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "shop", externalId = Unique("o"), kind = "Behaviour", @event = "OrderPlaced", occurredAt = Now, customer = new { externalId = crm, email = email.ToUpperInvariant() },
        });
        Assert.Equal(first, (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{learned.SignalId}")).CustomerId);

        // The external id alone finds them, whatever e-mail or phone comes with it.
        var byExternal = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "shop", externalId = Unique("o"), kind = "Behaviour", @event = "OrderPlaced", occurredAt = Now, customer = new { externalId = crm, phone },
        });
        Assert.Equal(first, (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{byExternal.SignalId}")).CustomerId);

        // A phone nobody has makes a new customer, and the next signal with it finds them.
        var stranger = "+1 555 02" + Random.Shared.Next(10000, 99999);
        var one = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new { source = "sms", externalId = Unique("s"), kind = "Message", occurredAt = Now, customer = new { phone = stranger }, text = "hi" });
        var two = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new { source = "sms", externalId = Unique("s"), kind = "Message", occurredAt = Now, customer = new { phone = stranger }, text = "hi again" });
        var created = (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{one.SignalId}")).CustomerId;
        Assert.NotEqual(first, created);
        Assert.Equal(created, (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{two.SignalId}")).CustomerId);
        Assert.Equal(stranger, (await app.Agent.GetJsonAsync<CustomerDetail>($"/api/customers/{created}")).Customer.Phone);
    }

    [Fact]
    public async Task A_third_contact_within_seven_days_about_the_same_order_is_a_repeated_contact()
    {
        var email = Unique("again") + "@example.com";
        var order = Unique("ORD");
        var first = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Where is my parcel?", Now.AddDays(-5), order));
        await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Any news on my parcel?", Now.AddDays(-8), order));
        var other = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Do you sell gift cards?", Now.AddDays(-1), "another order"));
        var third = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Is my parcel coming?", Now.AddDays(-1), order));
        Assert.DoesNotContain(first.Cues, c => c.Code == "repeat_contact");
        Assert.DoesNotContain(other.Cues, c => c.Code == "repeat_contact");

        // Eight days ago is outside the window: two contacts about this order so far.
        Assert.DoesNotContain(third.Cues, c => c.Code == "repeat_contact");
        var fourth = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), email, "Hello? My parcel?", Now, order));
        // The one of eight days ago is their usual rhythm, and three in a week is far above it.
        Assert.Contains(fourth.Cues, c => c is { Code: "repeat_contact", Text: "Contacted us 3 times in 7 days, where about once in 13 weeks is usual for them." });
    }

    [Fact]
    public async Task The_same_new_signal_sent_at_once_from_many_clients_is_stored_once()
    {
        var body = Message(Unique("race"), Unique("race") + "@example.com", "I want to speak to a manager about my broken order, I want a refund.");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.Agent.PostJsonAsync("/api/signals", body)));

        var results = await Task.WhenAll(responses.Select(r => r.ReadAsync<SignalResult>()));
        Assert.Single(results.Select(r => r.SignalId).Distinct());
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var signal = await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{results[0].SignalId}");
        Assert.Single((await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={signal.CustomerId}")).Items);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task An_export_holds_the_customer_s_signals_and_erasure_blanks_what_they_wrote()
    {
        var email = Unique("erase") + "@example.com";
        var result = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", new
        {
            source = "survey-tool", externalId = Unique("nps"), kind = "Survey", surveyType = "Nps", score = 0, occurredAt = Now, orderReference = "ORD-77",
            customer = new { email }, text = "Never again. I am closing my account and telling everyone on social media.",
        });
        var customerId = (await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{result.SignalId}")).CustomerId;

        using var export = await app.Admin.GetAsync($"/api/customers/{customerId}/export", Ct);
        var signals = (await export.ReadAsync<JsonElement>()).GetProperty("signals");
        Assert.Equal("Never again. I am closing my account and telling everyone on social media.", Assert.Single(signals.EnumerateArray()).GetProperty("text").GetString());

        using var erase = await app.Admin.PostJsonAsync($"/api/customers/{customerId}/erase", new { confirm = customerId.ToString() });
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        var after = await app.Admin.GetJsonAsync<SignalDto>($"/api/signals/{result.SignalId}");
        Assert.Equal((CustomerData.ErasedText, null, 0), (after.Text, after.OrderReference, after.Score));
        var entry = Assert.Single((await app.Admin.GetJsonAsync<CaseDetail>($"/api/cases/{result.CaseId}")).Timeline, e => e.Kind == TimelineEntryKind.Signal);
        Assert.Equal(CustomerData.ErasedText, entry.Body);
    }

    [Fact]
    public async Task A_signal_left_pending_by_a_stopped_instance_gets_its_case_from_the_worker()
    {
        var stored = await app.Agent.PostJsonAsync<SignalResult>("/api/signals", Message(Unique("m"), Unique("left") + "@example.com", "Hello"));

        // Once the sentence model has read it (it would take the risk again from the text), as a request that stored it
        // and stopped before acting would leave it: risky, pending, a while ago.
        var model = app.Services.GetRequiredService<ModelScoring>();
        await Eventually.UntilAsync(async () =>
        {
            await model.RunOnceAsync(Ct);
            return await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{stored.SignalId}");
        }, s => s.ModelScore is not null);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AmendsDbContext>();
            var before = Now.UtcDateTime - PendingSignals.Grace - TimeSpan.FromSeconds(5);
            await db.Signals.Where(x => x.Id == stored.SignalId).ExecuteUpdateAsync(set => set
                .SetProperty(x => x.Action, SignalAction.Pending).SetProperty(x => x.Risk, 80).SetProperty(x => x.DecidedAt, before), Ct);
        }

        // This app's own worker may claim it first (it polls too): then it is the one that opens the case.
        var after = await Eventually.UntilAsync(async () =>
        {
            await app.Services.GetRequiredService<PendingSignals>().RunOnceAsync(Ct);
            return await app.Agent.GetJsonAsync<SignalDto>($"/api/signals/{stored.SignalId}");
        }, s => s.Action != SignalAction.Pending);
        Assert.Equal(SignalAction.Opened, after.Action);
        var opened = await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{after.CaseId}");
        Assert.Equal(Severity.High, opened.Severity);
        Assert.Single(opened.Timeline, e => e.Kind == TimelineEntryKind.Signal && e.SignalId == stored.SignalId);

        // Again: nothing more happens to it.
        await app.Services.GetRequiredService<PendingSignals>().RunOnceAsync(Ct);
        Assert.Single((await app.Agent.GetJsonAsync<Paged<SignalDto>>($"/api/signals?customerId={after.CustomerId}")).Items);
        Assert.Single((await app.Agent.GetJsonAsync<CaseDetail>($"/api/cases/{after.CaseId}")).Timeline, e => e.Kind == TimelineEntryKind.Signal);
    }

    [Fact]
    public async Task A_text_is_scored_with_its_cues_and_nothing_is_stored()
    {
        var angry = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = "Terrible. Still no refund and I want to speak to a manager." });
        var content = await app.Agent.PostJsonAsync<ScoreResult>("/api/detection/score", new { text = "Lovely staff, quick delivery, thank you!" });

        Assert.True(angry.Score > content.Score, $"{angry.Score} vs {content.Score}");
        Assert.Equal(("Dissatisfied", "Satisfied"), (angry.Label, content.Label));
        Assert.Equal(["manager", "waiting", "refund"], angry.Cues.Select(c => c.Code));
        Assert.Empty(content.Cues);
        Assert.Equal("minilm-l6-head-1", angry.ModelVersion);
        using var empty = await app.Agent.PostJsonAsync("/api/detection/score", new { text = " " });
        await empty.AssertProblemAsync(HttpStatusCode.BadRequest, "detection.text_required");
        using var anonymous = await app.Anonymous.PostAsync("/api/detection/score", JsonContent(new { text = "hi" }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Signals_need_a_signed_in_user()
    {
        using var response = await app.Anonymous.PostAsync("/api/signals", JsonContent(new { }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

[Collection(SqliteCollection.Name)]
public sealed class SignalTestsOnSqlite(SqliteApp app) : SignalTests(app);

[Collection(PostgresCollection.Name)]
public sealed class SignalTestsOnPostgres(PostgresApp app) : SignalTests(app);
