using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>Layer normalisation (Ba, Kiros and Hinton, 2016) over the last axis: every row of F values is normalised
/// with its own mean and variance, then scaled and shifted per feature. Shapes: x (…, F), γ and β (F).</summary>
/// <remarks>
/// For one row: μ = (1/F) Σ x, σ² = (1/F) Σ (x − μ)², x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β. Backward, with h = g ⊙ γ:
/// <code>∂L/∂x = (1/(F·√(σ² + ε))) · (F·h − Σ h − x̂ · Σ h ⊙ x̂),   ∂L/∂γ = Σ_rows g ⊙ x̂,   ∂L/∂β = Σ_rows g</code>
/// Unlike batch normalisation it needs no batch statistics, so training and evaluation compute the same thing.
/// </remarks>
internal sealed class LayerNormFunction(Tensor x, Tensor gamma, Tensor beta, Tensor normalised, double[] inverseStd) : Function(x, gamma, beta)
{
    public override string Name => "LayerNorm";

    public static Tensor Apply(Tensor x, Tensor gamma, Tensor beta, double epsilon)
    {
        if (x.Rank < 1) throw new ArgumentException("layer norm: the input needs at least one axis");
        int features = x.Shape[-1];
        if (gamma.Shape != new Shape(features) || beta.Shape != new Shape(features))
            throw new ArgumentException($"layer norm: weight and bias must be ({features}) for input {x.Shape}, got {gamma.Shape} and {beta.Shape}");
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        var normalised = Tensor.Uninitialized(x.Shape, x.DType);
        var inverseStd = new double[x.Count / features];
        var ops = Backend.Current.Ops;
        Kernel.Launch([x, gamma, beta], [y, normalised], () => ops.LayerNormForward(x.Storage, gamma.Storage, beta.Storage, y.Storage, normalised.Storage, features, inverseStd, epsilon));
        return Needed(x, gamma, beta) ? Record(y, new LayerNormFunction(x, gamma, beta, normalised, inverseStd)) : y;
    }

    public override Tensor?[] Backward(Tensor gy)
    {
        var (x, gamma) = (Inputs[0], Inputs[1]);
        int features = x.Shape[-1];
        var gx = Tensor.Uninitialized(x.Shape, x.DType);
        var gGamma = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gBeta = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gammaSums = new double[features];   // Σ_rows g ⊙ x̂ and Σ_rows g, accumulated in double precision
        var betaSums = new double[features];
        var ops = Backend.Current.Ops;
        Kernel.Launch([gy, normalised, gamma], [gx, gGamma, gBeta], () => ops.LayerNormBackward(gy.Storage, normalised.Storage, gamma.Storage, gx.Storage, gGamma.Storage, gBeta.Storage, inverseStd, gammaSums, betaSums));
        return [x.RequiresGrad ? gx : null, gamma.RequiresGrad ? gGamma : null, Inputs[2].RequiresGrad ? gBeta : null];
    }
}
