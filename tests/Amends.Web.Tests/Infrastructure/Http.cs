using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Amends.Web.Tests.Infrastructure;

public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object? body, string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object? body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body ?? new { }, options: Json) }, TestContext.Current.CancellationToken);

    /// <summary>POSTs and reads the created or returned body; any non-success status fails the test with the problem text.</summary>
    public static async Task<T> PostJsonAsync<T>(this HttpClient client, string url, object? body)
    {
        using var response = await client.PostJsonAsync(url, body);
        return await response.ReadAsync<T>();
    }

    public static async Task<T> GetJsonAsync<T>(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        return await response.ReadAsync<T>();
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    /// <summary>Asserts an RFC 9457 problem response with the given status (and code), and returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.True(json.TryGetProperty("title", out _), "A problem has a title.");
        if (code is not null)
        {
            Assert.Equal(code, json.GetProperty("code").GetString());
        }

        return json;
    }

    /// <summary>The messages a problem gives for one field (its <c>errors</c> member).</summary>
    public static string[] FieldErrors(this JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
            ? [.. messages.EnumerateArray().Select(m => m.GetString()!)]
            : [];
}
