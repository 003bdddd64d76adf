using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>Global average pooling: the mean of each channel over all positions, (N, C, H, W) → (N, C). No parameters.</summary>
public sealed class GlobalAvgPool2d : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"GlobalAvgPool2d expects input (N, C, H, W), got shape {input.Shape}");
        return input.Mean([2, 3]);
    }
}
