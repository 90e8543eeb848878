using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amends.Web.Tests.Infrastructure;

namespace Amends.Web.Tests.Platform;

/// <summary>
/// Walks the OpenAPI document and sends every operation the bodies a careless or hostile client sends: none, <c>null</c>,
/// <c>{}</c>, <c>[]</c>, each field with the wrong type and each text field far over any limit. Nothing may answer 5xx
/// or drop the connection, and every error is a problem document. A new endpoint is covered without anyone remembering to.
/// On an app of its own: some of these bodies are valid (an empty limit is "no limit", a number where a string was
/// expected binds), and what they change must not reach other tests.
/// </summary>
public abstract class OpenApiFuzzTests(string provider) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new TestApp(provider);
        await _app.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task No_operation_answers_a_5xx_to_bad_bodies()
    {
        var ct = TestContext.Current.CancellationToken;
        using var document = JsonDocument.Parse(await _app.Anonymous.GetStringAsync("/openapi/v1.json", ct));
        var root = document.RootElement;
        var ids = await RealIdsAsync();
        var failures = new List<string>();
        var sent = 0;

        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var url = FillPath(path.Name, ids);
                foreach (var (label, body) in Bodies(root, operation.Value))
                {
                    sent++;
                    using var request = new HttpRequestMessage(method, url);
                    if (body is not null)
                    {
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    }

                    try
                    {
                        using var response = await _app.Admin.SendAsync(request, ct);
                        var text = await response.Content.ReadAsStringAsync(ct);
                        if ((int)response.StatusCode >= 500)
                        {
                            failures.Add($"{method} {path.Name} [{label}] → {(int)response.StatusCode} {Truncate(text)}");
                        }
                        else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        {
                            failures.Add($"{method} {path.Name} [{label}] → {(int)response.StatusCode} without a problem document");
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        failures.Add($"{method} {path.Name} [{label}] → connection failed: {e.Message}");
                    }
                }
            }
        }

        Assert.True(sent > 300, $"Only {sent} requests: the OpenAPI document lost its operations?");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Ids that exist, so an operation gets past "not found" and reads its body.</summary>
    private async Task<Dictionary<string, string>> RealIdsAsync()
    {
        var c = await _app.Admin.CaseAsync();
        return new Dictionary<string, string>
        {
            ["/api/cases/"] = c.Id.ToString(),
            ["/api/customers/"] = c.Customer.Id.ToString(),
            ["/api/users/"] = _app.AgentUser.Id.ToString(),
            ["/api/teams/"] = _app.Team.Id.ToString(),
        };
    }

    private static string FillPath(string template, Dictionary<string, string> ids)
    {
        var url = new StringBuilder();
        var parts = template.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i > 0)
            {
                url.Append('/');
            }

            if (!part.StartsWith('{'))
            {
                url.Append(part);
                continue;
            }

            var prefix = url.ToString();
            url.Append(part switch
            {
                "{index}" => "0",
                "{role}" => "Agent",
                _ => ids.TryGetValue(prefix, out var id) ? id : Guid.NewGuid().ToString(),
            });
        }

        return url.ToString();
    }

    private static IEnumerable<(string Label, string? Body)> Bodies(JsonElement root, JsonElement operation)
    {
        yield return ("no body", null);
        yield return ("empty", "");
        yield return ("null", "null");
        yield return ("{}", "{}");
        yield return ("[]", "[]");
        yield return ("a string", "\"x\"");
        if (!operation.TryGetProperty("requestBody", out var requestBody)
            || !requestBody.TryGetProperty("content", out var content)
            || !content.TryGetProperty("application/json", out var json)
            || !json.TryGetProperty("schema", out var schema))
        {
            yield break;
        }

        var resolved = Resolve(root, schema);
        if (!resolved.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var types = TypesOf(Resolve(root, property.Value));
            JsonNode wrong = types.Contains("string") ? JsonValue.Create(12345) : JsonValue.Create("not the right type");
            yield return ($"{property.Name}: wrong type", new JsonObject { [property.Name] = wrong }.ToJsonString());
            yield return ($"{property.Name}: an object", new JsonObject { [property.Name] = new JsonObject() }.ToJsonString());
            if (types.Contains("string"))
            {
                yield return ($"{property.Name}: 30,000 characters", new JsonObject { [property.Name] = new string('x', 30_000) }.ToJsonString());
            }

            if (types.Contains("integer") || types.Contains("number"))
            {
                yield return ($"{property.Name}: huge", "{\"" + property.Name + "\": 99999999999999999999999}");
                yield return ($"{property.Name}: negative", new JsonObject { [property.Name] = long.MinValue }.ToJsonString());
            }

            if (types.Contains("array"))
            {
                yield return ($"{property.Name}: [null]", new JsonObject { [property.Name] = new JsonArray((JsonNode?)null) }.ToJsonString());
                yield return ($"{property.Name}: [{{}}]", new JsonObject { [property.Name] = new JsonArray(new JsonObject()) }.ToJsonString());
            }
        }
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        for (var depth = 0; depth < 10 && schema.TryGetProperty("$ref", out var reference); depth++)
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = root.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        return schema;
    }

    private static HashSet<string> TypesOf(JsonElement schema)
    {
        var types = new HashSet<string>();
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.Array)
            {
                types.UnionWith(type.EnumerateArray().Select(t => t.GetString()!));
            }
            else
            {
                types.Add(type.GetString()!);
            }
        }

        return types;
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

public sealed class OpenApiFuzzTestsOnSqlite() : OpenApiFuzzTests("Sqlite");

public sealed class OpenApiFuzzTestsOnPostgres() : OpenApiFuzzTests("Postgres");
