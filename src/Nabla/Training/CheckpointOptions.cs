namespace Nabla.Training;

/// <summary>Where and how often <see cref="Trainer.Fit"/> saves checkpoints: at the end of every epoch, every
/// <paramref name="EverySteps"/> optimiser steps when that is above 0, and when training is cancelled.</summary>
/// <param name="Directory">The folder of the checkpoint files (created if needed).</param>
/// <param name="EverySteps">Steps between checkpoints within an epoch; 0 for epoch ends only.</param>
/// <param name="Keep">How many of the run's newest checkpoints to keep (at least 1; default 2, so that the previous
/// one survives until the next is complete). The run's checkpoints with more steps than the one just saved, a future
/// that a resume from an older checkpoint abandoned, are removed (<see cref="CheckpointStore.Save"/>);
/// other runs' files never are.</param>
/// <param name="Settings">Free text saved with every checkpoint for the caller (the command line saves its options,
/// so that <c>nabla train --resume</c> needs nothing else).</param>
/// <param name="RunId">The id of a fresh run (<see cref="RunIdentity.NewId"/>), for a caller that names the run's
/// checkpoints in its messages; null (the default) for a new random one. A resumed run keeps its checkpoint's id.</param>
public sealed record CheckpointOptions(string Directory, int EverySteps = 0, int Keep = 2, string? Settings = null, string? RunId = null)
{
    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("the checkpoint folder is empty", nameof(Directory));
        if (EverySteps < 0) throw new ArgumentOutOfRangeException(nameof(EverySteps), EverySteps, "steps between checkpoints must be 0 (epoch ends only) or more");
        if (Keep < 1) throw new ArgumentOutOfRangeException(nameof(Keep), Keep, "keep at least one checkpoint");
        if (RunId is not null && (RunId.Length is 0 or > 64 || !RunId.All(char.IsAsciiLetterOrDigit)))
            throw new ArgumentException("a run id is 1 to 64 ASCII letters and digits", nameof(RunId));
    }
}
