using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Reductions over the middle axis of x (outer × n × inner), one GPU thread per output element, each adding its
/// n values in order: the same order as the CPU's row-by-row sums, so that float64 results agree to rounding.</summary>
internal static class ReductionKernels
{
    /// <summary>y[o, j] = Σₖ x[o, k, j].</summary>
    public static void Sum<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = i / inner, j = i % inner, first = o * n * inner + j;
        T sum = x[first];
        for (int k = 1; k < n; k++) sum += x[first + (k * inner)];
        y[i] = sum;
    }

    /// <summary>y[o, j] = maxₖ x[o, k, j] (NaN if any is NaN, as T.Max has it).</summary>
    public static void Max<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = i / inner, j = i % inner, first = o * n * inner + j;
        T max = x[first];
        for (int k = 1; k < n; k++) max = T.Max(max, x[first + (k * inner)]);
        y[i] = max;
    }
}
