using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Amends.Web.Infrastructure;

/// <summary>A list in a request may not hold <c>null</c>: <c>[null]</c> is a field error, not a crash further down.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NoNullItemsAttribute : ValidationAttribute
{
    public NoNullItemsAttribute()
        : base("The {0} list may not contain null items.")
    {
    }

    public override bool IsValid(object? value) => value is not IEnumerable items || items.Cast<object?>().All(item => item is not null);
}
