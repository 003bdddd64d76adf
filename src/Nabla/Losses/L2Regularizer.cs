using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Weight decay: Ω(W) = Σᵢⱼ Wᵢⱼ², with gradient ∇Ω = 2W.</summary>
public sealed class L2Regularizer(double strength, bool includeBiases = false) : Regularizer(strength, includeBiases)
{
    /// <inheritdoc/>
    protected override Tensor Omega(Tensor parameter) => parameter.Square().Sum();
}
