using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Layer normalisation over rows of F features, in the CPU kernel's float64 arithmetic
/// (Nabla.Kernels.LayerNormKernel): one thread per row for the statistics, x̂, y and ∂x; one thread per feature for ∂γ
/// and ∂β, summed over the rows in order.</summary>
internal static class LayerNormKernels
{
    /// <summary>Row r: μ, r = 1/√(σ² + ε) (into <paramref name="inverseStd"/>), x̂ = (x − μ)·r, y = γ·x̂ + β.</summary>
    public static void Forward<T, TPrecision>(Index1D row, ArrayView<T> x, ArrayView<T> gamma, ArrayView<T> beta, ArrayView<T> y, ArrayView<T> hat, ArrayView<double> inverseStd, int features, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int first = row * features;
        double mean = 0, squares = 0;
        for (int f = 0; f < features; f++) mean += TPrecision.Widen(x[first + f]);
        mean /= features;
        for (int f = 0; f < features; f++) squares += (TPrecision.Widen(x[first + f]) - mean) * (TPrecision.Widen(x[first + f]) - mean);
        double inverse = 1 / Math.Sqrt((squares / features) + epsilon);
        inverseStd[row] = inverse;
        for (int f = 0; f < features; f++)
        {
            double h = (TPrecision.Widen(x[first + f]) - mean) * inverse;
            hat[first + f] = TPrecision.Narrow(h);
            y[first + f] = TPrecision.Narrow((TPrecision.Widen(gamma[f]) * h) + TPrecision.Widen(beta[f]));
        }
    }

    /// <summary>Row r: ∂x = r/F·(F·h − Σh − x̂·Σh·x̂) with h = g·γ.</summary>
    public static void InputGradient<T, TPrecision>(Index1D row, ArrayView<T> g, ArrayView<T> hat, ArrayView<T> gamma, ArrayView<T> dx, ArrayView<double> inverseStd, int features)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int first = row * features;
        double sumH = 0, sumHHat = 0;
        for (int f = 0; f < features; f++)
        {
            double h = TPrecision.Widen(g[first + f]) * TPrecision.Widen(gamma[f]);
            sumH += h;
            sumHHat += h * TPrecision.Widen(hat[first + f]);
        }

        for (int f = 0; f < features; f++)
        {
            double h = TPrecision.Widen(g[first + f]) * TPrecision.Widen(gamma[f]);
            dx[first + f] = TPrecision.Narrow(inverseStd[row] / features * ((features * h) - sumH - (TPrecision.Widen(hat[first + f]) * sumHHat)));
        }
    }

    /// <summary>Feature f: ∂γ = Σ_r g·x̂ and ∂β = Σ_r g, in float64, row by row.</summary>
    public static void ParameterGradients<T, TPrecision>(Index1D f, ArrayView<T> g, ArrayView<T> hat, ArrayView<T> gGamma, ArrayView<T> gBeta, int rows, int features)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double gammaSum = 0, betaSum = 0;
        for (int r = 0; r < rows; r++)
        {
            double gi = TPrecision.Widen(g[(r * features) + f]);
            gammaSum += gi * TPrecision.Widen(hat[(r * features) + f]);
            betaSum += gi;
        }

        gGamma[f] = TPrecision.Narrow(gammaSum);
        gBeta[f] = TPrecision.Narrow(betaSum);
    }
}
