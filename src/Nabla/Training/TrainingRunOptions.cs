namespace Nabla.Training;

/// <summary>How a <see cref="TrainingRun"/> goes beyond <see cref="Trainer.Fit"/>: what it watches, when it stops early,
/// where it keeps its checkpoints and whether Ctrl-C ends it cleanly.</summary>
/// <param name="Training">Epochs, batch size, seed and schedule (its <see cref="TrainingOptions.Checkpoints"/> and
/// cancellation are the run's to set, from the options below).</param>
public sealed record TrainingRunOptions(TrainingOptions Training)
{
    /// <summary>Stop when the validation loss has not improved for this many epochs, keeping the best epoch's weights;
    /// null (the default) trains every epoch. It watches a validation split, never the test set.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The stratified share of the training data held out for validation when early stopping or a schedule
    /// that watches the validation loss needs one (default 0.1); otherwise the run watches the test set.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The folder of the run's checkpoints, saved at every epoch's end (and every
    /// <see cref="CheckpointEvery"/> steps, and when the run is cancelled); null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Steps between checkpoints within an epoch; 0 for epoch ends only.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Free text saved with every checkpoint for the caller (the command line keeps its options there).</summary>
    public string? Settings { get; init; }

    /// <summary>The id of a fresh run; null for a new random one. A resumed run keeps its checkpoint's.</summary>
    public string? RunId { get; init; }

    /// <summary>Whether a first Ctrl-C ends the run after the current step with a checkpoint (a second one quits at
    /// once), instead of killing the process mid-step. Off by default: a library does not take the console's keys
    /// unless asked.</summary>
    public bool HandleCtrlC { get; init; }

    /// <summary>The data's name in messages (default: the training set's name).</summary>
    public string? DataName { get; init; }

    /// <summary>What asked for the validation split, in messages (default: "early stopping" or the schedule's name).</summary>
    public string? ValidationReason { get; init; }
}
