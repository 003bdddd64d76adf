using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>Flattens every axis after the batch axis: (B, …) → (B, ∏…).</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape);
        return input.Flatten(1);
    }

    /// <summary>Throws unless the input has a batch axis and at least one more.</summary>
    internal static void CheckInput(Shape shape)
    {
        if (shape.Rank < 2) throw new ArgumentException($"Flatten expects input (B, …) with at least two axes, got shape {shape}");
    }
}
