using System.Numerics;
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
        Kernel.Launch([x, gamma, beta], [y, normalised], () =>
        {
            if (x.DType == DType.Float32) Forward<float>(x.Buffer<float>(), gamma.Buffer<float>(), beta.Buffer<float>(), y.Buffer<float>(), normalised.Buffer<float>(), features, inverseStd, epsilon);
            else Forward<double>(x.Buffer<double>(), gamma.Buffer<double>(), beta.Buffer<double>(), y.Buffer<double>(), normalised.Buffer<double>(), features, inverseStd, epsilon);
        });
        return Needed(x, gamma, beta) ? Record(y, new LayerNormFunction(x, gamma, beta, normalised, inverseStd)) : y;
    }

    private static void Forward<T>(T[] x, T[] gamma, T[] beta, T[] y, T[] hat, int features, double[] inverseStd, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < inverseStd.Length; r++)
        {
            var row = x.AsSpan(r * features, features);
            double mean = 0, squares = 0;
            foreach (var v in row) mean += double.CreateTruncating(v);
            mean /= features;
            foreach (var v in row) squares += (double.CreateTruncating(v) - mean) * (double.CreateTruncating(v) - mean);
            double inv = inverseStd[r] = 1 / Math.Sqrt((squares / features) + epsilon);
            for (int f = 0; f < features; f++)
            {
                double h = (double.CreateTruncating(row[f]) - mean) * inv;
                hat[(r * features) + f] = T.CreateTruncating(h);
                y[(r * features) + f] = T.CreateTruncating((double.CreateTruncating(gamma[f]) * h) + double.CreateTruncating(beta[f]));
            }
        }
    }

    public override Tensor?[] Backward(Tensor g) => g.DType == DType.Float32 ? Backward<float>(g) : Backward<double>(g);

    private Tensor?[] Backward<T>(Tensor gy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, gamma) = (Inputs[0], Inputs[1]);
        int features = x.Shape[-1];
        var gx = Tensor.Uninitialized(x.Shape, x.DType);
        var gGamma = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gBeta = Tensor.Uninitialized(gamma.Shape, x.DType);
        var gammaSums = new double[features];   // Σ_rows g ⊙ x̂ and Σ_rows g, accumulated in double precision
        var betaSums = new double[features];
        Kernel.Launch([gy, normalised, gamma], [gx, gGamma, gBeta], () =>
        {
            Array.Clear(gammaSums);
            Array.Clear(betaSums);
            BackwardKernel(gy.Buffer<T>(), normalised.Buffer<T>(), gamma.Buffer<T>(), gx.Buffer<T>(), inverseStd, gammaSums, betaSums);
            for (int f = 0; f < features; f++)
            {
                gGamma.SetFlat(f, gammaSums[f]);
                gBeta.SetFlat(f, betaSums[f]);
            }
        });
        return [x.RequiresGrad ? gx : null, gamma.RequiresGrad ? gGamma : null, Inputs[2].RequiresGrad ? gBeta : null];
    }

    private static void BackwardKernel<T>(T[] g, T[] hat, T[] scale, T[] dx, double[] inverseStd, double[] gGamma, double[] gBeta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = gGamma.Length;
        for (int r = 0; r < inverseStd.Length; r++)
        {
            double sumH = 0, sumHHat = 0;
            for (int f = 0; f < features; f++)
            {
                int i = (r * features) + f;
                double gi = double.CreateTruncating(g[i]), hi = double.CreateTruncating(hat[i]), h = gi * double.CreateTruncating(scale[f]);
                sumH += h;
                sumHHat += h * hi;
                gGamma[f] += gi * hi;
                gBeta[f] += gi;
            }

            for (int f = 0; f < features; f++)
            {
                int i = (r * features) + f;
                double h = double.CreateTruncating(g[i]) * double.CreateTruncating(scale[f]);
                dx[i] = T.CreateTruncating(inverseStd[r] / features * ((features * h) - sumH - (double.CreateTruncating(hat[i]) * sumHHat)));
            }
        }
    }
}
