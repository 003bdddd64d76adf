using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Layer normalisation's loops over rows of F features, in float64 whatever the element type; the math is in
/// <c>LayerNormFunction</c>'s remarks.</summary>
internal static class LayerNormKernel
{
    /// <summary>x̂ = (x − μ)/√(σ² + ε) and y = γ ⊙ x̂ + β for each row; keeps 1/√(σ² + ε) of each row.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y, Span<T> hat, int features, Span<double> inverseStd, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < inverseStd.Length; r++)
        {
            var row = x.Slice(r * features, features);
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

    /// <summary>∂L/∂x into <paramref name="dx"/>, and ∂L/∂γ = Σ_rows g ⊙ x̂ and ∂L/∂β = Σ_rows g summed in float64 in
    /// <paramref name="gammaSums"/> and <paramref name="betaSums"/> (cleared first) and then written to
    /// <paramref name="gGamma"/> and <paramref name="gBeta"/>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> hat, ReadOnlySpan<T> scale, Span<T> dx, ReadOnlySpan<double> inverseStd, Span<double> gammaSums, Span<double> betaSums, Span<T> gGamma, Span<T> gBeta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int features = gammaSums.Length;
        gammaSums.Clear();
        betaSums.Clear();
        for (int r = 0; r < inverseStd.Length; r++)
        {
            double sumH = 0, sumHHat = 0;
            for (int f = 0; f < features; f++)
            {
                int i = (r * features) + f;
                double gi = double.CreateTruncating(g[i]), hi = double.CreateTruncating(hat[i]), h = gi * double.CreateTruncating(scale[f]);
                sumH += h;
                sumHHat += h * hi;
                gammaSums[f] += gi * hi;
                betaSums[f] += gi;
            }

            for (int f = 0; f < features; f++)
            {
                int i = (r * features) + f;
                double h = double.CreateTruncating(g[i]) * double.CreateTruncating(scale[f]);
                dx[i] = T.CreateTruncating(inverseStd[r] / features * ((features * h) - sumH - (double.CreateTruncating(hat[i]) * sumHHat)));
            }
        }

        for (int f = 0; f < features; f++)
        {
            gGamma[f] = T.CreateTruncating(gammaSums[f]);
            gBeta[f] = T.CreateTruncating(betaSums[f]);
        }
    }
}
