using Amends.Domain.Common;

namespace Amends.Domain.Signals;

public enum TrainingState
{
    Training,
    Ready,
    Failed,
}

/// <summary>
/// A version of the sentence model's head retrained from the organisation's own verdicts together with the shipped
/// training sample: its figures on the verdicts held out from training against the head in use when it was trained, and
/// whether it is the one in use. Versions are kept, so an admin can go back to any one used before, or to the shipped head.
/// </summary>
public sealed class TrainedHead
{
    public const int MaxErrorLength = 1000;
    public const int MaxNameLength = 200;

    private TrainedHead()
    {
        Version = CreatedBy = "";
    }

    public Guid Id { get; private set; }

    /// <summary>1, 2, 3… in the order they were trained; the version is named after it.</summary>
    public int Number { get; private set; }

    /// <summary>What every score it makes records: <c>minilm-l6-head-org-{Number}</c>.</summary>
    public string Version { get; private set; }

    public TrainingState State { get; private set; }

    /// <summary>0–100 while it trains.</summary>
    public int Progress { get; private set; }

    /// <summary>What it is doing now, in words.</summary>
    public string? Stage { get; private set; }

    public DateTime CreatedAt { get; private set; }

    public string CreatedBy { get; private set; }

    public DateTime? FinishedAt { get; private set; }

    /// <summary>The verdicts it learnt from and was measured on: all, those confirmed, and those held out of training.</summary>
    public int Labels { get; private set; }

    public int Confirmed { get; private set; }

    public int HeldOut { get; private set; }

    /// <summary>Its ROC-AUC on the held-out verdicts.</summary>
    public double? HeldOutAuc { get; private set; }

    /// <summary>The head in use when it was trained, and that head's ROC-AUC on the same held-out verdicts.</summary>
    public string? ComparedVersion { get; private set; }

    public double? ComparedAuc { get; private set; }

    /// <summary>The head itself (the shipped head's text format).</summary>
    public string? Head { get; private set; }

    public string? Error { get; private set; }

    public bool Active { get; private set; }

    /// <summary>It was in use once: going back to it needs no better figure.</summary>
    public bool WasActive { get; private set; }

    public DateTime? ActivatedAt { get; private set; }

    public string? ActivatedBy { get; private set; }

    /// <summary>Better than the head it was compared with, on the organisation's own held-out verdicts.</summary>
    public bool Better => HeldOutAuc is { } mine && ComparedAuc is { } theirs && mine > theirs;

    public static TrainedHead Start(int number, string by, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Number = number,
        Version = $"minilm-l6-head-org-{number}",
        State = TrainingState.Training,
        Stage = "Waiting to start",
        CreatedAt = now.UtcDateTime,
        CreatedBy = by.Length > MaxNameLength ? by[..MaxNameLength] : by,
    };

    public void Report(int progress, string stage)
    {
        Progress = Math.Clamp(progress, 0, 100);
        Stage = stage;
    }

    public void Finish(string head, int labels, int confirmed, int heldOut, double heldOutAuc, string comparedVersion, double comparedAuc, DateTimeOffset now)
    {
        (Head, Labels, Confirmed, HeldOut, HeldOutAuc, ComparedVersion, ComparedAuc) = (head, labels, confirmed, heldOut, heldOutAuc, comparedVersion, comparedAuc);
        State = TrainingState.Ready;
        Progress = 100;
        Stage = "Ready";
        FinishedAt = now.UtcDateTime;
    }

    public void Fail(string error, DateTimeOffset now)
    {
        State = TrainingState.Failed;
        Error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        Stage = "Failed";
        FinishedAt = now.UtcDateTime;
    }

    /// <summary>Puts it in use, when it is ready and was better than the head it was compared with, or was in use before.</summary>
    public DomainError? Activate(string by, DateTimeOffset now)
    {
        if (State != TrainingState.Ready)
        {
            return DomainError.Conflict("detection.model_not_ready", $"{Version} is {State.ToString().ToLowerInvariant()}, not ready.");
        }

        if (!Better && !WasActive)
        {
            return DomainError.Conflict("detection.model_not_better",
                $"{Version} is not better than {ComparedVersion} on your held-out verdicts (ROC-AUC {HeldOutAuc:0.000} against {ComparedAuc:0.000}): it stays unused.");
        }

        (Active, WasActive, ActivatedAt, ActivatedBy) = (true, true, now.UtcDateTime, by);
        return null;
    }

    public void Deactivate() => Active = false;
}
