using System.Net;
using System.Text.Json;
using Amends.Domain.Messaging;
using StandardWebhooks;

namespace Amends.Web.Features.Messaging.Transports;

/// <summary>What a webhook channel receives for each message to a customer.</summary>
public sealed record WebhookMessage(
    string Type,
    Guid MessageId,
    string? CaseNumber,
    string Channel,
    string To,
    string? ToName,
    string Subject,
    string Text,
    bool Automatic,
    string? InReplyTo,
    DateTime CreatedAt);

/// <summary>
/// SMS, chat, social and review connectors: each message is POSTed as JSON to <c>Amends:Channels:{name}:Url</c>, signed as
/// Standard Webhooks with <c>…:Secret</c>. The <c>webhook-id</c> is the message's fixed id, so a resend after a crash
/// carries the same one and the receiver can drop the copy. 2xx is sent; 408, 429, 5xx and network errors are retried;
/// any other 4xx is permanent.
/// </summary>
public sealed class WebhookTransport(ChannelRouter router, IHttpClientFactory clients, TimeProvider time, ILogger<WebhookTransport> logger) : IMessageTransport
{
    public const string HttpClientName = "webhooks";

    public bool Handles(string route) => route.StartsWith(Routes.WebhookPrefix, StringComparison.Ordinal);

    public async Task<IReadOnlyList<SendResult>> SendAsync(string route, IReadOnlyList<Outgoing> batch, DateTimeOffset deadline, CancellationToken ct)
    {
        var name = route[Routes.WebhookPrefix.Length..];
        if (!router.WebhookChannels().TryGetValue(name, out var channel) || string.IsNullOrWhiteSpace(channel.Secret))
        {
            return [.. batch.Select(o => new SendResult(o.Message.Id, SendStatus.Transient, $"Channel '{name}' needs Amends:Channels:{name}:Url and :Secret"))];
        }

        var webhook = new StandardWebhook(channel.Secret);
        var http = clients.CreateClient(HttpClientName);
        var results = new List<SendResult>(batch.Count);
        foreach (var outgoing in batch)
        {
            if (time.GetUtcNow() >= deadline)
            {
                results.Add(SendResult.NotTried(outgoing.Message.Id));
                continue;
            }

            results.Add(await SendOneAsync(http, webhook, channel.Url!, name, outgoing.Message, ct));
        }

        return results;
    }

    public static WebhookMessage Payload(OutboundMessage m, string channel, string? caseNumber) => new(
        "message.created", m.Id, caseNumber, channel, m.To, m.ToName, m.Subject, m.TextBody, m.Automatic, m.InReplyTo, m.CreatedAt);

    private async Task<SendResult> SendOneAsync(HttpClient http, StandardWebhook webhook, string url, string name, OutboundMessage m, CancellationToken ct)
    {
        var number = System.Text.RegularExpressions.Regex.Match(m.Subject, @"AM-\d+").Value;
        var body = JsonSerializer.Serialize(Payload(m, name, number.Length > 0 ? number : null), JsonSerializerOptions.Web);
        var timestamp = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", m.HeaderMessageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", webhook.Sign(m.HeaderMessageId, timestamp, body));
        try
        {
            using var response = await http.SendAsync(request, ct);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new SendResult(m.Id, SendStatus.Sent)
                : new SendResult(m.Id, code is 408 or 429 || code >= 500 ? SendStatus.Transient : SendStatus.Permanent, $"{code} {response.ReasonPhrase} from {name}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Webhook channel {Channel} unreachable: {Error}", name, ex.Message);
            return new SendResult(m.Id, SendStatus.Transient, $"{name} unreachable: {ex.Message}");
        }
    }
}
