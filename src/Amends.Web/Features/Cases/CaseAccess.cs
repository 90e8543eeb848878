using System.Security.Claims;
using Amends.Domain.Cases;
using Amends.Domain.Common;
using Amends.Domain.Teams;
using Amends.Web.Infrastructure;

namespace Amends.Web.Features.Cases;

/// <summary>What a change to a case asks of the person making it (see <see cref="CaseAccess"/>).</summary>
public enum CaseRule
{
    /// <summary>Working the case: its owner, their cover while the owner is away, or a supervisor.</summary>
    Work,

    /// <summary>An internal note: any agent (the timeline is shared so anyone can help).</summary>
    Note,

    /// <summary>Taking an unowned case (acknowledging it makes it yours); an owned one is <see cref="Work"/>.</summary>
    TakeOrWork,

    /// <summary>The customer themselves, through a signed link: no staff member is acting.</summary>
    Customer,

    /// <summary>Amends itself, in background work (a delivery failure on the timeline): no person is acting.</summary>
    System,

    /// <summary>Giving the case an owner: <see cref="CaseAccess.CheckAssign"/> decides, as it needs the new owner.</summary>
    Assign,
}

/// <summary>
/// Object-level rules for cases, in one place: every change goes through <see cref="CaseMutation"/> (or the remedy
/// handlers) with a <see cref="CaseRule"/>, and this decides. Reading stays open to every agent: one shared timeline, so
/// anyone can pick a case up without the customer repeating their story.
/// </summary>
public readonly record struct CaseAccess(CaseRule Rule, UserId? User, bool Supervisor)
{
    /// <summary>The customer answering through a signed link.</summary>
    public static readonly CaseAccess Customer = new(CaseRule.Customer, null, false);

    /// <summary>Background work of Amends itself.</summary>
    public static readonly CaseAccess System = new(CaseRule.System, null, false);

    public static CaseAccess For(ClaimsPrincipal user, CaseRule rule) => new(rule, user.UserId(), user.IsSupervisor());

    public static CaseAccess For(Actor actor, Role role, CaseRule rule) => new(rule, actor.Id, role >= Role.Supervisor);

    /// <summary>Whether the caller works the case: owner, cover or supervisor.</summary>
    public static bool Works(RecoveryCase c, UserId user, bool supervisor) => supervisor || c.OwnerId == user || c.CoverOwnerId == user;

    /// <summary>Null when allowed; otherwise a 403 that says who may.</summary>
    public DomainError? Check(RecoveryCase c) => Rule switch
    {
        CaseRule.Customer or CaseRule.System or CaseRule.Note or CaseRule.Assign => null,
        CaseRule.TakeOrWork when c.OwnerId is null => null,
        _ when User is { } user && Works(c, user, Supervisor) => null,
        _ => DomainError.Forbidden("case.not_yours",
            "Only the case's owner, their cover or a supervisor can do this. Add a note, or ask a supervisor to reassign it."),
    };

    /// <summary>
    /// Anyone may take an unowned case for themselves; the owner, or their cover, may hand it on to anyone; every other
    /// assignment (taking a case from its owner, handing an unowned one to someone else) is a supervisor's.
    /// </summary>
    public DomainError? CheckAssign(RecoveryCase c, UserId newOwner)
    {
        if (Supervisor || User is not { } user)
        {
            return Supervisor ? null : DomainError.Forbidden("case.reassign_forbidden", "Only staff assign cases.");
        }

        if (c.OwnerId is { } current)
        {
            return current == user || c.CoverOwnerId == user || current == newOwner
                ? null
                : DomainError.Forbidden("case.reassign_forbidden", "Only a supervisor can take a case away from its owner.");
        }

        return newOwner == user
            ? null
            : DomainError.Forbidden("case.assign_forbidden", "Take an unowned case for yourself; a supervisor assigns it to someone else.");
    }
}
