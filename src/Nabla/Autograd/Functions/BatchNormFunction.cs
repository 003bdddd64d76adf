using System.Numerics;
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
internal sealed class BatchNormFunction(Tensor x, Tensor gamma, Tensor beta, Tensor normalised, double[] inverseStd) : Function(x, gamma, beta)
{
    public override string Name => "BatchNorm";

    /// <summary>y, and the batch mean and biased variance of each channel (for the running statistics).</summary>
    public static (Tensor Y, double[] Mean, double[] Variance) Apply(Tensor x, Tensor gamma, Tensor beta, double epsilon)
    {
        if (x.Rank < 2) throw new ArgumentException($"batch norm: input must be (N, C, …), got shape {x.Shape}");
        int channels = x.Shape[1];
        if (gamma.Shape != new Shape(channels) || beta.Shape != new Shape(channels))
            throw new ArgumentException($"batch norm: weight and bias must be ({channels}) for input {x.Shape}, got {gamma.Shape} and {beta.Shape}");
        if (x.Shape[0] * x.Shape.Product(2, x.Rank) < 2)
            throw new ArgumentException($"batch norm: training needs more than one value per channel, got input {x.Shape}");
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        var normalised = Tensor.Uninitialized(x.Shape, x.DType);
        var mean = new double[channels];
        var variance = new double[channels];
        var inverseStd = new double[channels];
        if (x.DType == DType.Float32) Forward<float>(x, gamma, beta, y, normalised, mean, variance, inverseStd, epsilon);
        else Forward<double>(x, gamma, beta, y, normalised, mean, variance, inverseStd, epsilon);
        var result = Needed(x, gamma, beta) ? Record(y, new BatchNormFunction(x, gamma, beta, normalised, inverseStd)) : y;
        return (result, mean, variance);
    }

    private static void Forward<T>(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor normalised, double[] mean, double[] variance, double[] inverseStd, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Shape[0], channels = x.Shape[1], length = x.Shape.Product(2, x.Rank);
        T[] xs = x.Buffer<T>(), ys = y.Buffer<T>(), hat = normalised.Buffer<T>(), g = gamma.Buffer<T>(), b = beta.Buffer<T>();
        double count = (double)n * length;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
                foreach (var v in xs.AsSpan(((i * channels) + c) * length, length)) sum += double.CreateTruncating(v);
            double mu = sum / count, squares = 0;
            for (int i = 0; i < n; i++)
            {
                foreach (var v in xs.AsSpan(((i * channels) + c) * length, length))
                {
                    double d = double.CreateTruncating(v) - mu;
                    squares += d * d;
                }
            }

            (mean[c], variance[c]) = (mu, squares / count);
            inverseStd[c] = 1 / Math.Sqrt(variance[c] + epsilon);
            double scale = double.CreateTruncating(g[c]), shift = double.CreateTruncating(b[c]);
            for (int i = 0; i < n; i++)
            {
                int start = ((i * channels) + c) * length;
                for (int j = start; j < start + length; j++)
                {
                    double h = (double.CreateTruncating(xs[j]) - mu) * inverseStd[c];
                    hat[j] = T.CreateTruncating(h);
                    ys[j] = T.CreateTruncating((scale * h) + shift);
                }
            }
        }
    }

    public override Tensor?[] Backward(Tensor g) => g.DType == DType.Float32 ? Backward<float>(g) : Backward<double>(g);

    private Tensor?[] Backward<T>(Tensor gy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, gamma) = (Inputs[0], Inputs[1]);
        int n = x.Shape[0], channels = x.Shape[1], length = x.Shape.Product(2, x.Rank);
        double count = (double)n * length;
        var gx = Tensor.Uninitialized(x.Shape, x.DType);
        var gGamma = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gBeta = Tensor.Uninitialized(gamma.Shape, x.DType);
        T[] g = gy.Buffer<T>(), hat = normalised.Buffer<T>(), dx = gx.Buffer<T>(), scale = gamma.Buffer<T>();
        for (int c = 0; c < channels; c++)
        {
            double sumG = 0, sumGHat = 0;
            for (int i = 0; i < n; i++)
            {
                int start = ((i * channels) + c) * length;
                for (int j = start; j < start + length; j++)
                {
                    double gj = double.CreateTruncating(g[j]);
                    sumG += gj;
                    sumGHat += gj * double.CreateTruncating(hat[j]);
                }
            }

            gBeta.Buffer<T>()[c] = T.CreateTruncating(sumG);
            gGamma.Buffer<T>()[c] = T.CreateTruncating(sumGHat);
            double factor = double.CreateTruncating(scale[c]) * inverseStd[c] / count;
            for (int i = 0; i < n; i++)
            {
                int start = ((i * channels) + c) * length;
                for (int j = start; j < start + length; j++)
                    dx[j] = T.CreateTruncating(factor * ((count * double.CreateTruncating(g[j])) - sumG - (double.CreateTruncating(hat[j]) * sumGHat)));
            }
        }

        return [x.RequiresGrad ? gx : null, gamma.RequiresGrad ? gGamma : null, Inputs[2].RequiresGrad ? gBeta : null];
    }
}
