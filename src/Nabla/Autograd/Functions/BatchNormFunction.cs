using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>Batch normalisation in training mode: each channel is normalised with the batch's own statistics, then
/// scaled and shifted. x is (N, C, L) in memory — (N, C) for features, (N, C, H, W) for images, L = H·W.</summary>
/// <remarks>
/// Per channel c, over its M = N·L values:
/// <code>
/// μ = (1/M) Σ x,   σ² = (1/M) Σ (x − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β
/// ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,   ∂L/∂x = γ/(M·√(σ² + ε)) · (M·g − Σ g − x̂·Σ g·x̂)
/// </code>
/// The last line is the whole chain through μ and σ² (every x moves the statistics of its channel), the reason a
/// normalisation layer is one primitive here rather than a composition of means and divisions.
/// </remarks>
internal sealed class BatchNormFunction(Tensor x, Tensor gamma, Tensor beta, Tensor normalised, BatchNormOp kernel) : Function(x, gamma, beta)
{
    public override string Name => "BatchNorm";

    /// <summary>y; the batch mean and biased variance of each channel (filled by the CPU's kernel only: on a device they
    /// stay zeros, the statistics staying there); and
    /// the kernel that holds the batch's statistics, which updates the running statistics where they lie
    /// (<see cref="BatchNormOp.UpdateRunning"/>).</summary>
    public static (Tensor Y, double[] Mean, double[] Variance, BatchNormOp Statistics) Apply(Tensor x, Tensor gamma, Tensor beta, double epsilon)
    {
        if (x.Rank < 2) throw new ArgumentException($"batch norm: input must be (N, C, …), got shape {x.Shape}");
        int channels = x.Shape[1];
        if (gamma.Shape != new Shape(channels) || beta.Shape != new Shape(channels))
            throw new ArgumentException($"batch norm: weight and bias must be ({channels}) for input {x.Shape}, got {gamma.Shape} and {beta.Shape}");
        if (x.Shape[0] * x.Shape.Product(2, x.Rank) < 2)
            throw new ArgumentException($"batch norm: training needs more than one value per channel, got input {x.Shape}");
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        var normalised = Tensor.Uninitialized(x.Shape, x.DType);
        int n = x.Shape[0], length = x.Shape.Product(2, x.Rank);
        var (mean, variance) = (new double[channels], new double[channels]);
        // The kernel keeps the statistics and allocates nothing more, so a captured step that holds it replays with no
        // allocation.
        var kernel = Backend.Current.Ops.BatchNorm(n, channels, length, mean, variance);
        Kernel.Launch([x, gamma, beta], [y, normalised], () => kernel.Forward(x.Storage, gamma.Storage, beta.Storage, y.Storage, normalised.Storage, epsilon, relu: false),
            Kernel.Capturing ? new ReluEpilogueForm(y.Storage, rectified => () => kernel.Forward(x.Storage, gamma.Storage, beta.Storage, rectified, normalised.Storage, epsilon, relu: true)) : null);
        var result = Needed(x, gamma, beta) ? Record(y, new BatchNormFunction(x, gamma, beta, normalised, kernel)) : y;
        return (result, mean, variance, kernel);
    }

    public override Tensor?[] Backward(Tensor gy)
    {
        var (x, gamma) = (Inputs[0], Inputs[1]);
        var gx = Tensor.Uninitialized(x.Shape, x.DType);
        var gGamma = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gBeta = Tensor.Uninitialized(gamma.Shape, x.DType);
        Kernel.Launch([gy, normalised, gamma], [gx, gGamma, gBeta], () => kernel.Backward(gy.Storage, normalised.Storage, gamma.Storage, gx.Storage, gGamma.Storage, gBeta.Storage, null),
            Kernel.Capturing ? new ReluMaskPrologueForm(gy.Storage, y => () => kernel.Backward(gy.Storage, normalised.Storage, gamma.Storage, gx.Storage, gGamma.Storage, gBeta.Storage, y)) : null);
        return [x.RequiresGrad ? gx : null, gamma.RequiresGrad ? gGamma : null, Inputs[2].RequiresGrad ? gBeta : null];
    }
}
