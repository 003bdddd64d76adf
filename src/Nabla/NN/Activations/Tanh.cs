using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation g(a) = tanh a. Elementwise; no parameters.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }
}
