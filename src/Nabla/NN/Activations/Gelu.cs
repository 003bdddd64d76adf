using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation GELU(x) = x·Φ(x), Φ the standard normal distribution function (exact, as PyTorch's
/// default). Elementwise; no parameters.</summary>
public sealed class Gelu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu();
    }
}
