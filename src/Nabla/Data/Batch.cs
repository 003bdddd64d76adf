using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>A mini-batch: features (B, D) and labels (B).</summary>
/// <param name="Features">X_batch (B, D).</param>
/// <param name="Labels">y_batch (B).</param>
public sealed record Batch(Tensor Features, int[] Labels)
{
    /// <summary>B.</summary>
    public int Count => Labels.Length;
}
