using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Batch normalisation's loops over (N, C, L) data in training mode, shared by the autograd primitive and
/// the training plan; the math is in <c>BatchNormFunction</c>'s remarks. Statistics are summed in float64.</summary>
internal static class BatchNormKernel
{
    /// <summary>y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) per channel; also returns μ, σ² (biased) and 1/√(σ² + ε).</summary>
    public static void Forward<T>(T[] x, T[] gamma, T[] beta, T[] y, T[] normalised, int n, int channels, int length,
        double[] mean, double[] variance, double[] inverseStd, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)n * length;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
                foreach (var v in x.AsSpan(((i * channels) + c) * length, length)) sum += double.CreateTruncating(v);
            double mu = sum / count, squares = 0;
            for (int i = 0; i < n; i++)
            {
                foreach (var v in x.AsSpan(((i * channels) + c) * length, length))
                {
                    double d = double.CreateTruncating(v) - mu;
                    squares += d * d;
                }
            }

            (mean[c], variance[c]) = (mu, squares / count);
            inverseStd[c] = 1 / Math.Sqrt(variance[c] + epsilon);
            double scale = double.CreateTruncating(gamma[c]), shift = double.CreateTruncating(beta[c]);
            for (int i = 0; i < n; i++)
            {
                int start = ((i * channels) + c) * length;
                for (int j = start; j < start + length; j++)
                {
                    double h = (double.CreateTruncating(x[j]) - mu) * inverseStd[c];
                    normalised[j] = T.CreateTruncating(h);
                    y[j] = T.CreateTruncating((scale * h) + shift);
                }
            }
        }
    }

    /// <summary>∂L/∂x (may be <paramref name="g"/> itself), ∂L/∂γ and ∂L/∂β from ∂L/∂y, x̂ and 1/√(σ² + ε).</summary>
    public static void Backward<T>(T[] g, T[] normalised, T[] gamma, double[] inverseStd, int n, int channels, int length, T[] gx, T[] gGamma, T[] gBeta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double count = (double)n * length;
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
                    sumGHat += gj * double.CreateTruncating(normalised[j]);
                }
            }

            gBeta[c] = T.CreateTruncating(sumG);
            gGamma[c] = T.CreateTruncating(sumGHat);
            double factor = double.CreateTruncating(gamma[c]) * inverseStd[c] / count;
            for (int i = 0; i < n; i++)
            {
                int start = ((i * channels) + c) * length;
                for (int j = start; j < start + length; j++)
                    gx[j] = T.CreateTruncating(factor * ((count * double.CreateTruncating(g[j])) - sumG - (double.CreateTruncating(normalised[j]) * sumGHat)));
            }
        }
    }
}
