using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation ELU(x) = x for x &gt; 0, eˣ − 1 otherwise (α = 1, PyTorch's default). Elementwise; no parameters.</summary>
public sealed class Elu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Elu();
    }
}
