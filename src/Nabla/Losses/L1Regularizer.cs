using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Sparsity: Ω(W) = Σᵢⱼ |Wᵢⱼ|, with gradient ∇Ω = sign(W) (0 at 0).</summary>
public sealed class L1Regularizer(double strength, bool includeBiases = false) : Regularizer(strength, includeBiases)
{
    /// <inheritdoc/>
    protected override Tensor Omega(Tensor parameter) => parameter.Abs().Sum();
}
