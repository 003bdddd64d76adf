namespace Nabla.Training;

/// <summary>How <see cref="Trainer.Fit"/> runs.</summary>
/// <param name="Epochs">Passes over the training data (default 10).</param>
/// <param name="BatchSize">Examples per mini-batch (default 64).</param>
/// <param name="Seed">Seeds the shuffling of each epoch (default 0).</param>
/// <param name="Shuffle">Whether each epoch visits the data in a new order (default true).</param>
/// <param name="Schedule">How the learning rate changes over the epochs (default: constant).</param>
/// <param name="Checkpoints">Where and how often to save checkpoints (default: none).</param>
/// <param name="Cancellation">Stops training after the current step, saving a checkpoint first when
/// <paramref name="Checkpoints"/> is set; <see cref="Trainer.Fit"/> then throws <see cref="OperationCanceledException"/>.</param>
/// <remarks>A schedule can keep state (reduce-on-plateau does): give each run its own.</remarks>
public sealed record TrainingOptions(int Epochs = 10, int BatchSize = 64, int Seed = 0, bool Shuffle = true, LearningRateSchedule? Schedule = null,
    CheckpointOptions? Checkpoints = null, CancellationToken Cancellation = default)
{
    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        Checkpoints?.Validate();
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"epochs must be at least 1, not {Epochs}");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"batch size must be at least 1, not {BatchSize}");
    }
}
