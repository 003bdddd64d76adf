using System.Numerics;

namespace Nabla.Kernels;

/// <summary>The smooth activations, each computed with its derivative in one pass, in float64 whatever the element
/// type; the formulas are in <c>SmoothActivationFunction</c>'s remarks.</summary>
internal static class SmoothActivationKernel
{
    /// <summary>Where softplus becomes x (PyTorch's threshold): beyond it log(1 + eˣ) equals x to float precision, and eˣ
    /// would overflow.</summary>
    private const double SoftplusThreshold = 20;

    /// <summary>y = f(x) and derivative = f′(x) for the elements [<paramref name="start"/>, <paramref name="end"/>).
    /// Each element is computed on its own, so any split of the range gives the same bits.</summary>
    public static void Compute<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> derivative, SmoothActivation kind, double alpha, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = start; i < end; i++)
        {
            Evaluate(kind, alpha, double.CreateTruncating(x[i]), out double value, out double slope);
            y[i] = T.CreateTruncating(value);
            derivative[i] = T.CreateTruncating(slope);
        }
    }

    /// <summary>f(v) and f′(v) of one element, in float64: the one definition both the CPU's loop and the GPU's kernel
    /// (one thread per element) call.</summary>
    public static void Evaluate(SmoothActivation kind, double alpha, double v, out double value, out double slope)
    {
        switch (kind)
        {
            case SmoothActivation.Elu:
                value = v > 0 ? v : alpha * double.ExpM1(v);
                slope = v > 0 ? 1 : alpha * Math.Exp(v);
                break;
            case SmoothActivation.Silu:
                double s = 1 / (1 + Math.Exp(-v));
                value = v * s;
                slope = s * (1 + (v * (1 - s)));
                break;
            case SmoothActivation.Gelu:
                double cdf = 0.5 * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2)));
                value = v * cdf;
                slope = cdf + (v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI));
                break;
            default:
                value = v > SoftplusThreshold ? v : Math.Log(1 + Math.Exp(v));
                slope = v > SoftplusThreshold ? 1 : 1 / (1 + Math.Exp(-v));
                break;
        }
    }
}

/// <summary>The activations <see cref="SmoothActivationKernel"/> computes.</summary>
internal enum SmoothActivation
{
    Elu,
    Silu,
    Softplus,
    Gelu,
}
