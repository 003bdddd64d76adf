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

    /// <summary>One part of channel c's sums over the images [part·N/parts, (part + 1)·N/parts), thread
    /// i = c·parts + part, into the partials (2 a thread, from 5C of <paramref name="statistics"/>): float32 Σ(x − s)
    /// and Σ(x − s)² with s the channel's first value (a channel far from zero keeps its digits); float64, Σx in
    /// <paramref name="phase"/> 0 and Σ(x − μ)² in phase 1. Split so that a GPU adds a channel's N·L values with many
    /// threads, not one.</summary>
    public static void StatisticsPartials<T, TPrecision>(Index1D i, ArrayView<T> x, ArrayView<double> statistics, BatchNormShape s, int phase)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int c = i / s.Parts, part = i % s.Parts;
        int first = (int)((long)part * s.N / s.Parts), last = (int)((long)(part + 1) * s.N / s.Parts);
        double a = 0, b = 0, shift = TPrecision.IsSingle ? TPrecision.Widen(x[c * s.Length]) : phase == 1 ? statistics[c] : 0;
        for (int n = first; n < last; n++)
        {
            int start = ((n * s.Channels) + c) * s.Length;
            for (int j = 0; j < s.Length; j++)
            {
                double d = TPrecision.Widen(x[start + j]) - shift;
                a += d;
                b += d * d;
            }
        }

        int at = (5 * s.Channels) + (2 * i);
        statistics[at] = a;
        statistics[at + 1] = b;
    }

    /// <summary>μ, σ² and r of channel <paramref name="c"/> from its partials, added in part order: float32
    /// σ² = E[(x − s)²] − E[x − s]²; float64 μ = Σx/M in <paramref name="phase"/> 0, then σ² = Σ(x − μ)²/M in phase 1.</summary>
    public static void StatisticsFinish<T, TPrecision>(Index1D c, ArrayView<T> x, ArrayView<double> statistics, BatchNormShape s, int phase, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double count = (double)s.N * s.Length, a = 0, b = 0, mean, variance;
        for (int part = 0; part < s.Parts; part++)
        {
            int at = (5 * s.Channels) + (2 * ((c * s.Parts) + part));
            a += statistics[at];
            b += statistics[at + 1];
        }

        if (TPrecision.IsSingle)
        {
            double shifted = a / count;
            mean = TPrecision.Widen(x[c * s.Length]) + shifted;
            variance = Math.Max(0, (b / count) - (shifted * shifted));
        }
        else if (phase == 0)
        {
            statistics[c] = a / count;   // μ, for phase 1's deviations
            return;
        }
        else
        {
            mean = statistics[c];
            variance = b / count;
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

    /// <summary>One part of channel c's Σg and Σg·x̂ in float64, over the images of part i % parts (as
    /// <see cref="StatisticsPartials"/>), into the partials.</summary>
    public static void GradientPartials<T, TPrecision>(Index1D i, ArrayView<T> g, ArrayView<T> normalised, ArrayView<double> statistics, BatchNormShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        int c = i / s.Parts, part = i % s.Parts;
        int first = (int)((long)part * s.N / s.Parts), last = (int)((long)(part + 1) * s.N / s.Parts);
        double sumG = 0, sumGHat = 0;
        for (int n = first; n < last; n++)
        {
            int start = ((n * s.Channels) + c) * s.Length;
            for (int j = 0; j < s.Length; j++)
            {
                double gj = TPrecision.Widen(g[start + j]);
                sumG += gj;
                sumGHat += gj * TPrecision.Widen(normalised[start + j]);
            }
        }

        int at = (5 * s.Channels) + (2 * i);
        statistics[at] = sumG;
        statistics[at + 1] = sumGHat;
    }

    /// <summary>∂β[c] = Σg and ∂γ[c] = Σg·x̂ over channel <paramref name="c"/>, its partials added in part order (kept
    /// at 3C + c and 4C + c of <paramref name="statistics"/> for the input gradient).</summary>
    public static void GradientFinish<T, TPrecision>(Index1D c, ArrayView<T> gGamma, ArrayView<T> gBeta, ArrayView<double> statistics, BatchNormShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        double sumG = 0, sumGHat = 0;
        for (int part = 0; part < s.Parts; part++)
        {
            int at = (5 * s.Channels) + (2 * ((c * s.Parts) + part));
            sumG += statistics[at];
            sumGHat += statistics[at + 1];
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

    /// <summary>Parts each channel's sums are split into (threads a channel); partials kept from 5C of the statistics.</summary>
    public int Parts;

    /// <summary>The parts for <paramref name="n"/> images: one per image, up to 64.</summary>
    public static int PartsFor(int n) => Math.Clamp(n, 1, 64);
}
