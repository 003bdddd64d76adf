namespace Nabla.Training;

/// <summary>The running sums of an epoch in progress, kept in checkpoints so that an epoch resumed half-way reports the
/// same loss and accuracy as one that ran through.</summary>
/// <param name="LossSum">Σ batch loss × batch size so far.</param>
/// <param name="Correct">Examples classified correctly so far.</param>
/// <param name="Seen">Examples trained on so far.</param>
public readonly record struct EpochTotals(double LossSum, int Correct, int Seen);
