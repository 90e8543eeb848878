using Amends.Web.Components;
using Amends.Web.Features.Account;
using Amends.Web.Features.Admin;
using Amends.Web.Features.Cases;
using Amends.Web.Features.Customers;
using Amends.Web.Features.Playbooks;
using Amends.Web.Features.Remedies;
using Amends.Web.Features.Reports;
using Amends.Web.Infrastructure;
using Amends.Web.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace Amends.Web;

/// <summary>Composition of the one host: API, Blazor UI, EF Core and background work.</summary>
public static class AmendsApp
{
    /// <summary>Largest request body the API accepts; a larger one gets 413.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The body limit of the request's endpoint: its own (<see cref="Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata"/>, as the signal batch has) or the app's.</summary>
    public static long BodyLimitFor(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxRequestBodyBytes;

    /// <summary>"larger than 1,024 KiB" in the words every 413 uses.</summary>
    public static string TooLarge(HttpContext context) => $"The request body is larger than {BodyLimitFor(context) / 1024:N0} KiB.";

    /// <param name="args">Command-line settings.</param>
    /// <param name="withUi">False for a host without the web UI (the load run in bench/ uses the API and jobs only).</param>
    public static WebApplication Build(string[] args, bool withUi = true)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });

        var services = builder.Services;
        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddOptions<AmendsOptions>().Bind(builder.Configuration.GetSection(AmendsOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddAmendsPersistence(builder.Configuration, builder.Environment);

        // First among the hosted services: the schema must exist before anything (data protection keys included) reads it.
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<Jobs.DueWorker>();
        services.AddHostedService<Features.Messaging.OutboxWorker>();
        var protection = services.AddDataProtection().SetApplicationName("Amends").PersistKeysToDbContext<AmendsDbContext>();

        // The key ring (it signs sign-in cookies and follow-up links) is stored in the database; with a certificate from
        // configuration it is encrypted there, so a copy of the database cannot forge a session.
        if (builder.Configuration["Amends:DataProtection:CertificatePath"] is { Length: > 0 } certificatePath)
        {
            protection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificatePath, builder.Configuration["Amends:DataProtection:CertificatePassword"]));
        }

        services.AddIdentityCore<AppUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Password.RequiredLength = 12;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireDigit = false;
            })
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<AmendsDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<AmendsClaimsPrincipalFactory>();

        // Password reset links work for an hour (Identity's default is a day).
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = PasswordReset.LinkLifetime);

        services.AddAuthentication(auth =>
            {
                auth.DefaultScheme = "Amends";
                auth.DefaultChallengeScheme = "Amends";
            })
            .AddPolicyScheme("Amends", "Cookie or API key", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/login";
            cookie.AccessDeniedPath = "/denied";
            cookie.Cookie.Name = "amends.auth";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.HttpOnly = true;

            // Secure in Production: the cookie never crosses plain HTTP. Behind a TLS proxy, list it in
            // Amends:Security:TrustedProxies so the forwarded scheme counts. AllowInsecureCookies is for tests on loopback.
            cookie.Cookie.SecurePolicy = CookiePolicy(builder.Environment, security);
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
            cookie.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Agent, p => p.RequireRole(Policies.AgentRoles))
            .AddPolicy(Policies.Supervisor, p => p.RequireRole(Policies.SupervisorRoles))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Policies.AdminRoles));
        services.AddCascadingAuthenticationState();

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
            if (problem.Extensions.ContainsKey("code"))
            {
                return;
            }

            // Problems the framework writes (no endpoint ran, or none matched) get a stable code and a plain detail too.
            var (code, detail) = problem.Status switch
            {
                StatusCodes.Status400BadRequest when problem is HttpValidationProblemDetails => ("request.validation", "Some fields are not valid; see errors."),
                StatusCodes.Status400BadRequest => ("request.bad", "The request could not be understood."),
                StatusCodes.Status401Unauthorized => ("auth.required", "Sign in, or send an API key as 'Authorization: Bearer <key>'."),
                StatusCodes.Status403Forbidden => ("auth.forbidden", "Your role does not allow this."),
                StatusCodes.Status404NotFound => ("route.not_found", "There is no such resource or route; see /api-docs."),
                StatusCodes.Status405MethodNotAllowed => ("route.method_not_allowed", "This route does not take that HTTP method."),
                StatusCodes.Status413PayloadTooLarge => ("request.too_large", TooLarge(context.HttpContext)),
                StatusCodes.Status415UnsupportedMediaType => ("request.unsupported_media_type",
                    "Send the body as this route takes it: JSON with 'Content-Type: application/json', or 'text/csv' for a CSV import; see /api-docs."),
                StatusCodes.Status500InternalServerError => ("server.error", "Something went wrong on our side; the trace id identifies it in the logs."),
                _ => ("http." + problem.Status, null),
            };
            problem.Extensions["code"] = code;
            problem.Detail ??= detail;
        });
        services.AddValidation();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new EnumNameConverterFactory());
        });
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Amends API";
            document.Info.Description = "Service recovery: customers, recovery cases and their lifecycle. Authenticate with "
                + "'Authorization: Bearer YOUR_API_KEY' (an admin creates keys on the API keys page). Errors are RFC 9457 problem details. "
                + "POSTs accept an 'Idempotency-Key' header; case changes accept 'If-Match' with the case version.";
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>
            {
                ["ApiKey"] = new Microsoft.OpenApi.OpenApiSecurityScheme
                {
                    Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key created by an admin; it acts with its user's role.",
                },
            };
            document.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("ApiKey", document)] = [] }];
            return Task.CompletedTask;
        }).AddSchemaTransformer((schema, context, _) =>
        {
            // Enums travel as names (EnumNameConverterFactory); say so in the schema.
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (type.IsEnum)
            {
                schema.Type = Microsoft.OpenApi.JsonSchemaType.String;
                schema.Enum = [.. Enum.GetNames(type).Select(name => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(name))];
            }

            return Task.CompletedTask;
        }));
        builder.AddAmendsTelemetry();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<Features.Messaging.OutboxHealthCheck>("outbox", failureStatus: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded,
                tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<Features.Messaging.Email.MailboxHealthCheck>("mailbox", tags: [HealthTags.Ready])
            .AddCheck<Features.Signals.DetectionHealthCheck>("detection", failureStatus: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded,
                tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(3));

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<UiActions>();
        services.AddOptions<LoginOptions>().Bind(builder.Configuration.GetSection("Amends:Login"));
        services.AddSingleton<LoginThrottle>();
        services.AddMemoryCache();
        services.AddScoped<TwoFactor>();
        if (security.TrustedProxies.Length > 0)
        {
            services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in security.TrustedProxies)
                {
                    forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }
            });
        }

        services.AddSingleton<PublicUrls>();
        services.AddSingleton<DemoInstallation>();
        services.AddSingleton<CaseChangeFeed>();
        services.AddScoped<CaseReader>();
        services.AddScoped<CaseMutation>();
        services.AddScoped<Features.Sla.SlaClocks>();
        services.AddScoped<Features.Playbooks.PlaybookLibrary>();
        services.AddSingleton<Jobs.IDueWorkHandler, Jobs.SlaCheckHandler>();
        services.AddSingleton<Jobs.IDueWorkHandler, Jobs.FollowUpHandler>();
        services.AddSingleton<Jobs.IDueWorkHandler, Jobs.PromiseHandler>();
        services.AddSingleton<Jobs.IDueWorkHandler, Jobs.CoverEndHandler>();
        services.AddSingleton<Jobs.DueWorkSweeper>();
        services.AddSingleton<Jobs.Housekeeping>();
        services.AddScoped<OpenCase>();
        services.AddScoped<ListCases>();
        services.AddSingleton<DirectoryNames>();
        services.AddSingleton<Infrastructure.ApiKeySessions>();
        services.AddScoped<AssignOwner>();
        services.AddScoped<Escalations>();
        services.AddScoped<CaseTemplates>();
        services.AddScoped<Promises>();
        services.AddScoped<Features.Remedies.Ledger>();
        services.AddOptions<Features.Remedies.LedgerKeyOptions>().Bind(builder.Configuration.GetSection("Amends:Ledger"));
        services.AddSingleton<Features.Remedies.LedgerKeys>();
        services.AddScoped<Features.Remedies.Remedies>();
        services.AddScoped<Features.Remedies.Catalogue>();
        services.AddScoped<Features.Remedies.Limits>();
        services.AddOptions<Features.Remedies.RemedySettings>().Bind(builder.Configuration.GetSection("Amends:Remedies"));
        services.AddScoped<Features.Cover.Cover>();
        services.AddScoped<Features.Reports.SlaReport>();
        services.AddScoped<Features.Reports.CostReport>();
        services.AddScoped<Features.FollowUp.Feedback>();
        services.AddOptions<Features.Messaging.EmailOptions>().Bind(builder.Configuration.GetSection("Amends:Email"));
        services.AddOptions<Features.Messaging.OrganisationOptions>().Bind(builder.Configuration.GetSection("Amends:Organisation"));
        services.AddOptions<Features.Messaging.OutboxOptions>().Bind(builder.Configuration.GetSection("Amends:Outbox"));
        services.AddSingleton<Features.Messaging.ChannelRouter>();
        services.AddSingleton<Features.Messaging.OutboxSignal>();
        services.AddSingleton<Features.Messaging.OutboxDispatcher>();
        services.AddSingleton<Features.Messaging.Transports.IMessageTransport, Features.Messaging.Transports.MailboxTransport>();
        services.AddSingleton<Features.Messaging.Transports.IMessageTransport, Features.Messaging.Transports.SmtpTransport>();
        services.AddSingleton<Features.Messaging.Transports.IMessageTransport, Features.Messaging.Transports.WebhookTransport>();
        services.AddHttpClient(Features.Messaging.Transports.WebhookTransport.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        services.AddScoped<Features.Messaging.Inbound>();
        services.AddScoped<Features.Messaging.Email.EmailIntake>();
        services.AddScoped<Features.Messaging.Email.Emails>();
        services.AddSingleton<Features.Messaging.Email.MailboxStatus>();
        services.AddHostedService<Features.Messaging.Email.ImapWorker>();
        services.AddScoped<Features.Messaging.Outbox>();
        services.AddScoped<Features.Messaging.DeliveryReports>();
        services.AddScoped<Features.Messaging.Replies>();
        services.AddSingleton<Features.Messaging.StatusLinks>();
        services.AddOptions<Features.Messaging.UpdateOptions>().Bind(builder.Configuration.GetSection("Amends:Updates"));
        services.AddSingleton<Features.Messaging.CustomerUpdates>();
        services.AddScoped<Features.Messaging.CustomerStatus>();
        Features.Messaging.StatusEndpoints.AddCustomerPageRateLimit(services, builder.Configuration);
        services.AddOptions<Features.Signals.DetectionOptions>().Bind(builder.Configuration.GetSection("Amends:Detection"));
        services.AddSingleton<Features.Signals.TextScoring>();
        services.AddScoped<Features.Signals.SignalIntake>();
        services.AddSingleton<Features.Signals.PendingSignals>();
        services.AddHostedService<Features.Signals.PendingSignalWorker>();
        services.AddSingleton<Features.Signals.SentenceScoring>();
        services.AddSingleton<Features.Signals.ModelScoring>();
        services.AddHostedService<Features.Signals.ModelScoringWorker>();
        services.AddScoped<Features.Signals.SignalQueries>();
        services.AddScoped<Features.Signals.SignalCsvImport>();
        services.AddSingleton<Features.Signals.IncidentWatch>();
        services.AddSingleton<Features.Signals.ChurnWatch>();
        services.AddScoped<Features.Signals.Incidents>();
        services.AddHostedService<Features.Signals.BehaviourWorker>();
        services.AddSingleton<Features.Signals.HeadTraining>();
        services.AddHostedService<Features.Signals.HeadSelection>();
        services.AddScoped<CreateCustomer>();
        services.AddScoped<Features.Customers.MergeCustomers>();
        services.AddScoped<Features.Customers.CustomerPreferences>();
        services.AddScoped<FindCustomers>();
        services.AddScoped<CustomerData>();
        services.AddScoped<Users>();
        services.AddScoped<Teams>();
        services.AddScoped<ApiKeyAdmin>();

        var app = builder.Build();
        if (security.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<SecurityHeaders>();

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,

            // A client's malformed request is answered with a 4xx problem; only real failures are logged as errors.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.UseMiddleware<RequestSizeGuard>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseMiddleware<CookieApiWriteGuard>();
        app.UseMiddleware<TwoFactorEnforcement>();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseMiddleware<IdempotencyMiddleware>();

        // /health and /health/live: the process serves requests (restart it when not). /health/ready: it can do its work
        // (its database answers), so a load balancer sends it traffic; it recovers by itself when the database returns.
        app.MapHealthChecks("/health", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthTags.WriteAsync,
        }).AllowAnonymous();
        app.MapAmendsTelemetry();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api-docs", scalar => scalar
            .WithTitle("Amends API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")

            // A reference for our users, not a storefront: no deploy, SDK, client-app or AI buttons, and no telemetry.
            .HideClientButton()
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()).AllowAnonymous();

        app.MapCaseEndpoints();
        app.MapCustomerEndpoints();
        app.MapPlaybookEndpoints();
        app.MapReportEndpoints();
        app.MapRemedyEndpoints();
        Features.FollowUp.FeedbackEndpoints.MapFeedbackEndpoints(app);
        Features.Messaging.MessagingEndpoints.MapMessagingEndpoints(app);
        Features.Messaging.StatusEndpoints.MapStatusEndpoints(app);
        Features.Messaging.Email.EmailEndpoints.MapEmailEndpoints(app);
        Features.Signals.SignalEndpoints.MapSignalEndpoints(app);
        Features.Signals.IncidentEndpoints.MapIncidentEndpoints(app);
        app.MapAdminEndpoints();
        app.MapAccountEndpoints();
        app.MapPasswordResetEndpoints();

        if (withUi)
        {
            app.MapStaticAssets();
            app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        }

        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app));
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetRequiredService<PublicUrls>();
            if (app.Environment.IsProduction() && !urls.Configured)
            {
                app.Logger.LogWarning("Amends:PublicBaseUrl is not set: links to customers use {Url}, the address this server listens on. "
                    + "Set Amends__PublicBaseUrl to the address customers reach it at.", urls.BaseUrl);
            }
        });
        return app;
    }

    // The sign-in cookie only: the antiforgery cookie follows the request, so the sign-in page still answers over plain
    // HTTP (a first try, the production test) and says nothing secret.
    private static CookieSecurePolicy CookiePolicy(IWebHostEnvironment environment, SecurityOptions security) =>
        environment.IsProduction() && !security.AllowInsecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void PrintBanner(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault() ?? "(no address)";
        var demo = app.Services.GetRequiredService<DemoInstallation>();
        Console.WriteLine();
        Console.WriteLine($"  Amends is running at {url}");
        Console.WriteLine($"  API reference: {url.TrimEnd('/')}/api-docs");
        if (demo.LoginFile is { } loginFile)
        {
            // The passwords were printed once, on the start that made them; later starts say where they are kept.
            Console.WriteLine($"  Demo login: {Persistence.Seeding.DemoData.AdminEmail} and the other demo users; passwords in {loginFile}");
        }

        Console.WriteLine();
    }
}
