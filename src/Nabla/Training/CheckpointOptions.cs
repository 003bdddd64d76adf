namespace Nabla.Training;

/// <summary>Where and how often <see cref="Trainer.Fit"/> saves checkpoints: at the end of every epoch, every
/// <paramref name="EverySteps"/> optimiser steps when that is above 0, and when training is cancelled.</summary>
/// <param name="Directory">The folder of the checkpoint files (created if needed).</param>
/// <param name="EverySteps">Steps between checkpoints within an epoch; 0 for epoch ends only.</param>
/// <param name="Keep">How many of the newest checkpoints to keep (at least 1; default 2, so that the previous one
/// survives until the next is complete). Checkpoints in the folder with more steps than the one just saved, left by
/// an earlier run, are removed (<see cref="Serialization.CheckpointStore.Save"/>).</param>
/// <param name="Settings">Free text saved with every checkpoint for the caller (the command line saves its options,
/// so that <c>nabla train --resume</c> needs nothing else).</param>
public sealed record CheckpointOptions(string Directory, int EverySteps = 0, int Keep = 2, string? Settings = null)
{
    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory)) throw new ArgumentException("the checkpoint folder is empty", nameof(Directory));
        if (EverySteps < 0) throw new ArgumentOutOfRangeException(nameof(EverySteps), EverySteps, "steps between checkpoints must be 0 (epoch ends only) or more");
        if (Keep < 1) throw new ArgumentOutOfRangeException(nameof(Keep), Keep, "keep at least one checkpoint");
    }
}
