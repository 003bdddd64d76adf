using System.Numerics.Tensors;
using Nabla.Tensors;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Losses;

/// <summary>Weight decay: Ω(W) = Σᵢⱼ Wᵢⱼ², with gradient ∇Ω = 2W.</summary>
public sealed class L2Regularizer(double strength, bool includeBiases = false) : Regularizer(strength, includeBiases)
{
    /// <inheritdoc/>
    protected override Tensor Omega(Tensor parameter) => parameter.Square().Sum();

    internal override bool SupportsPlans => true;

    // Ω = Σ w², λ∇Ω = 2λw: one fused multiply-add pass over the gradient.
    private protected override double AddGradient<T>(ReadOnlySpan<T> weights, Span<T> gradient)
    {
        TensorPrimitives.MultiplyAdd(weights, T.CreateChecked(2 * Strength), gradient, gradient);
        return double.CreateTruncating(TensorPrimitives.SumOfSquares(weights));
    }
}
