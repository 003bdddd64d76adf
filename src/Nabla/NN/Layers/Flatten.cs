using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>Flattens every axis after the batch axis: (B, …) → (B, ∏…).</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(1);
    }
}
