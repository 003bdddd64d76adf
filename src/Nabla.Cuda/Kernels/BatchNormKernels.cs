using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Training-mode batch normalisation over (N, C, L) data, in the CPU kernel's arithmetic
/// (Nabla.Kernels.BatchNormKernel; the math is in BatchNormFunction's remarks): statistics summed in float64, one
/// thread per channel; x̂, y and ∂x one thread per element. float32 takes the CPU's one-pass statistics around the
/// channel's first value and its float32 per-channel coefficients; float64 its exact two-pass statistics.</summary>
/// <remarks><c>statistics</c> holds, per channel c, μ at c, σ² at C + c and r = 1/√(σ² + ε) at 2C + c.</remarks>
internal static class BatchNormKernels
{
    /// <summary>The running statistics of channel <paramref name="c"/>, from a forward pass's μ (statistics[c]) and
    /// biased σ² (statistics[channels + c]) over M = <paramref name="values"/> values, in float64 as the CPU computes
    /// them: μ_run ← (1 − m)·μ_run + m·μ, σ²_run ← (1 − m)·σ²_run + m·σ²·M/(M − 1).</summary>
    public static void Running<T, TPrecision>(Index1D c, ArrayView<T> runningMean, ArrayView<T> runningVariance, ArrayView<double> statistics, int channels, double momentum, double values)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        runningMean[c] = TPrecision.Narrow(((1 - momentum) * TPrecision.Widen(runningMean[c])) + (momentum * statistics[c]));
        runningVariance[c] = TPrecision.Narrow(((1 - momentum) * TPrecision.Widen(runningVariance[c])) + (momentum * statistics[channels + c] * values / (values - 1)));
    }

    /// <summary>μ, σ² and r of channel <paramref name="c"/>.</summary>
    public static void Statistics<T, TPrecision>(Index1D c, ArrayView<T> x, ArrayView<double> statistics, BatchNormShape s, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double count = (double)s.N * s.Length, mean, variance;
        if (TPrecision.IsSingle)
        {
            // σ² = E[(x − s)²] − E[x − s]² with s the channel's first value: a channel far from zero keeps its digits.
            T shift = x[c * s.Length];
            double sum = 0, squares = 0;
            for (int n = 0; n < s.N; n++)
            {
                int start = ((n * s.Channels) + c) * s.Length;
                for (int j = 0; j < s.Length; j++)
                {
                    double d = TPrecision.Widen(x[start + j]) - TPrecision.Widen(shift);
                    sum += d;
                    squares += d * d;
                }
            }

            double shifted = sum / count;
            mean = TPrecision.Widen(shift) + shifted;
            variance = Math.Max(0, (squares / count) - (shifted * shifted));
        }
        else
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++)
            {
                int start = ((n * s.Channels) + c) * s.Length;
                for (int j = 0; j < s.Length; j++) sum += TPrecision.Widen(x[start + j]);
            }

            mean = sum / count;
            double squares = 0;
            for (int n = 0; n < s.N; n++)
            {
                int start = ((n * s.Channels) + c) * s.Length;
                for (int j = 0; j < s.Length; j++)
                {
                    double d = TPrecision.Widen(x[start + j]) - mean;
                    squares += d * d;
                }
            }

            variance = squares / count;
        }

        statistics[c] = mean;
        statistics[s.Channels + c] = variance;
        statistics[(2 * s.Channels) + c] = 1 / Math.Sqrt(variance + epsilon);
    }

    /// <summary>x̂ = (x − μ)·r and y = γ·x̂ + β, then max(y, 0) when <paramref name="relu"/>.</summary>
    public static void Normalise<T, TPrecision>(Index1D i, ArrayView<T> x, ArrayView<T> gamma, ArrayView<T> beta, ArrayView<T> y, ArrayView<T> normalised, ArrayView<double> statistics, BatchNormShape s, int relu)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int c = (i / s.Length) % s.Channels;
        double mean = statistics[c], r = statistics[(2 * s.Channels) + c];
        T value;
        if (TPrecision.IsSingle)
        {
            T h = (x[i] - TPrecision.Narrow(mean)) * TPrecision.Narrow(r);
            normalised[i] = h;
            value = (h * gamma[c]) + beta[c];
        }
        else
        {
            double h = (TPrecision.Widen(x[i]) - mean) * r;
            normalised[i] = TPrecision.Narrow(h);
            value = TPrecision.Narrow((TPrecision.Widen(gamma[c]) * h) + TPrecision.Widen(beta[c]));
        }

        y[i] = relu != 0 ? T.Max(value, T.Zero) : value;
    }

    /// <summary>∂β[c] = Σg and ∂γ[c] = Σg·x̂ over channel <paramref name="c"/>, in float64 (kept at 3C + c and 4C + c of
    /// <paramref name="statistics"/> for the input gradient).</summary>
    public static void GradientSums<T, TPrecision>(Index1D c, ArrayView<T> g, ArrayView<T> normalised, ArrayView<T> gGamma, ArrayView<T> gBeta, ArrayView<double> statistics, BatchNormShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double sumG = 0, sumGHat = 0;
        for (int n = 0; n < s.N; n++)
        {
            int start = ((n * s.Channels) + c) * s.Length;
            for (int j = 0; j < s.Length; j++)
            {
                double gj = TPrecision.Widen(g[start + j]);
                sumG += gj;
                sumGHat += gj * TPrecision.Widen(normalised[start + j]);
            }
        }

        gBeta[c] = TPrecision.Narrow(sumG);
        gGamma[c] = TPrecision.Narrow(sumGHat);
        statistics[(3 * s.Channels) + c] = sumG;
        statistics[(4 * s.Channels) + c] = sumGHat;
    }

    /// <summary>∂x = γ·r/M·(M·g − Σg − x̂·Σg·x̂), M = N·L; float32 as a·g + b·x̂ + d with a, b, d rounded per channel.</summary>
    public static void InputGradient<T, TPrecision>(Index1D i, ArrayView<T> g, ArrayView<T> normalised, ArrayView<T> gamma, ArrayView<T> gx, ArrayView<double> statistics, BatchNormShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int c = (i / s.Length) % s.Channels;
        double count = (double)s.N * s.Length, sumG = statistics[(3 * s.Channels) + c], sumGHat = statistics[(4 * s.Channels) + c];
        double factor = TPrecision.Widen(gamma[c]) * statistics[(2 * s.Channels) + c] / count;
        if (TPrecision.IsSingle)
        {
            T a = TPrecision.Narrow(factor * count), b = TPrecision.Narrow(-factor * sumGHat), d = TPrecision.Narrow(-factor * sumG);
            gx[i] = (a * g[i]) + (b * normalised[i]) + d;
        }
        else
        {
            gx[i] = TPrecision.Narrow(factor * ((count * TPrecision.Widen(g[i])) - sumG - (TPrecision.Widen(normalised[i]) * sumGHat)));
        }
    }
}

/// <summary>(N, C, L): images, channels, values per channel of one image.</summary>
internal struct BatchNormShape
{
    public int N, Channels, Length;
}
