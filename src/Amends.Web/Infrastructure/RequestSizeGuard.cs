using Microsoft.AspNetCore.Http.Features;

namespace Amends.Web.Infrastructure;

/// <summary>
/// Answers a body declared larger than <see cref="AmendsApp.MaxRequestBodyBytes"/> with a readable 413 problem. A client
/// that sends its whole body before reading (no <c>Expect: 100-continue</c>) would otherwise see its connection reset:
/// Kestrel stops reading at the limit and closes with unread bytes, and the kernel's reset discards the answer. So the
/// rest of the body is read and dropped first, up to <see cref="DrainLimitBytes"/> within <see cref="DrainTime"/>;
/// beyond that, closing is the cheaper defence.
/// </summary>
internal sealed class RequestSizeGuard(RequestDelegate next)
{
    public const long DrainLimitBytes = 64L * 1024 * 1024;
    public static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(10);

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is not { } length || length <= AmendsApp.BodyLimitFor(context))
        {
            await next(context);
            return;
        }

        var expectsContinue = context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (!expectsContinue && length <= DrainLimitBytes && size is { IsReadOnly: false })
        {
            size.MaxRequestBodySize = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(DrainTime);
            try
            {
                await context.Request.Body.CopyToAsync(Stream.Null, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Too slow to wait for: answer now and let the connection close.
            }
        }

        context.Response.Headers.Connection = "close";
        await ApiProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "request.too_large", "Request body too large",
            AmendsApp.TooLarge(context));
    }
}
