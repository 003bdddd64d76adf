namespace Nabla.Backends;

/// <summary>A device's op table that reads a training step's results back in one wait and one copy, instead of one per
/// value: the loss, the objective, whether the gradients are finite, and each row's prediction. Without it a step on a
/// GPU would wait for the device once for each of them, and once per gradient.</summary>
internal interface IStepReadout
{
    /// <summary>Element 0 of <paramref name="dataLoss"/> and <paramref name="objective"/>, whether the sum of every
    /// element of <paramref name="gradients"/> (nulls skipped) is finite, and into <paramref name="predictions"/> the
    /// argmax of each of the <paramref name="rows"/> rows of <paramref name="logits"/> (rows × classes), the first on
    /// ties and the first NaN if any, as the CPU's ArgMax.</summary>
    StepValues ReadStep(BackendStorage dataLoss, BackendStorage objective, BackendStorage?[] gradients, BackendStorage logits, int rows, int classes, Span<int> predictions);
}

/// <summary>A training step's values, read back from its device.</summary>
/// <param name="DataLoss">The mean data loss.</param>
/// <param name="Objective">The data loss plus the penalties.</param>
/// <param name="GradientSumFinite">Whether the sum of every gradient element is finite: true means every element is;
/// false means one is not, or large finite values overflowed the sum (the caller checks element by element).</param>
internal readonly record struct StepValues(double DataLoss, double Objective, bool GradientSumFinite);
