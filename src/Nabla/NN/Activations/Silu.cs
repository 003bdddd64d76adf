using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation SiLU(x) = x·σ(x), also called swish. Elementwise; no parameters.</summary>
public sealed class Silu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Silu();
    }
}
