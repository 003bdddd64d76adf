using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>A mini-batch: features (B, D) and labels (B).</summary>
/// <param name="Features">X_batch (B, D).</param>
/// <param name="Labels">y_batch (B).</param>
/// <exception cref="ArgumentException">The features have no batch axis, or their B differs from the label count.</exception>
public sealed record Batch(Tensor Features, int[] Labels)
{
    /// <summary>X_batch (B, D).</summary>
    public Tensor Features { get; init; } = Features ?? throw new ArgumentNullException(nameof(Features));

    /// <summary>y_batch (B).</summary>
    public int[] Labels { get; init; } = Check(Features, Labels);

    /// <summary>B.</summary>
    public int Count => Labels.Length;

    /// <summary>Throws unless <paramref name="features"/> has a batch axis of one row per label.</summary>
    internal static int[] Check(Tensor? features, int[]? labels)
    {
        ArgumentNullException.ThrowIfNull(labels, nameof(Labels));
        if (features is not null && (features.Rank < 1 || features.Shape[0] != labels.Length))
            throw new ArgumentException($"a batch needs one label per row: {labels.Length} labels for features of shape {features.Shape}");
        return labels;
    }
}
