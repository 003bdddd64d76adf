using System.Numerics.Tensors;
using Nabla.Tensors;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Losses;

/// <summary>Sparsity: Ω(W) = Σᵢⱼ |Wᵢⱼ|, with gradient ∇Ω = sign(W) (0 at 0).</summary>
public sealed class L1Regularizer(double strength, bool includeBiases = false) : Regularizer(strength, includeBiases)
{
    /// <inheritdoc/>
    protected override Tensor Omega(Tensor parameter) => parameter.Abs().Sum();

    internal override bool SupportsPlans => true;

    // Ω = Σ |w|, λ∇Ω = λ sign(w), with sign(0) = 0 as in autograd's Abs.
    private protected override double AddGradient<T>(ReadOnlySpan<T> weights, Span<T> gradient)
    {
        T lambda = T.CreateChecked(Strength);
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > T.Zero) gradient[i] += lambda;
            else if (weights[i] < T.Zero) gradient[i] -= lambda;
        }

        return double.CreateTruncating(TensorPrimitives.SumOfMagnitudes(weights));
    }
}
