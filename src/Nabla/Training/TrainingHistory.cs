namespace Nabla.Training;

/// <summary>The per-epoch results of a training run, in order.</summary>
public sealed class TrainingHistory(IReadOnlyList<EpochResult> epochs)
{
    /// <summary>One entry per epoch.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; } = epochs;

    /// <summary>The last epoch's result.</summary>
    public EpochResult Last => Epochs[^1];
}
