using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Reductions over the middle axis of x (outer × n × inner), one GPU thread per output element, each adding its
/// n values in order; an axis long against few outputs is first cut into parts (<see cref="Parts"/>), each added in
/// order by a thread of its own. Sums agree with the CPU's (which adds in vector lanes) to rounding.</summary>
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

    /// <summary>The first stage of a long reduction: parts[o, part, j] = Σ (or max, when <paramref name="max"/>) of
    /// x[o, k, j] over k in [part·n/parts, (part + 1)·n/parts), in order. The existing one-thread-per-output kernels then
    /// reduce the parts, so that a sum of one long axis (a whole tensor's) is added by many threads, not one.</summary>
    public static void Parts<T>(Index1D i, ArrayView<T> x, ArrayView<T> parts, int n, int inner, int partCount, int max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = i % inner, rest = i / inner, part = rest % partCount, o = rest / partCount;
        int first = (int)((long)part * n / partCount), last = (int)((long)(part + 1) * n / partCount), at = (o * n * inner) + j;
        T value = x[at + (first * inner)];
        for (int k = first + 1; k < last; k++) value = max != 0 ? T.Max(value, x[at + (k * inner)]) : value + x[at + (k * inner)];
        parts[i] = value;
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

    /// <summary>index[o, j] = the first k at which x[o, k, j] is largest (the first NaN, if any, as the CPU's
    /// IndexOfMax has it).</summary>
    public static void ArgMax<T>(Index1D i, ArrayView<T> x, ArrayView<int> index, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = i / inner, j = i % inner;
        index[i] = IndexOfMax(x, (o * n * inner) + j, n, inner);
    }

    /// <summary>The first k at which x[first + k·stride] (k &lt; n) is largest, or the first NaN: the CPU's IndexOfMax,
    /// for kernels that take an argmax along an axis.</summary>
    internal static int IndexOfMax<T>(ArrayView<T> x, int first, int n, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = x[first];
        if (T.IsNaN(max)) return 0;
        int best = 0;
        for (int k = 1; k < n; k++)
        {
            T value = x[first + (k * stride)];
            if (T.IsNaN(value)) return k;
            if (value > max) (max, best) = (value, k);
        }

        return best;
    }

    /// <summary>partial[t] = Σ x[t + s·threads] (or of x², when <paramref name="squares"/> is set) for s = 0, 1, …: one
    /// of <c>threads</c> interleaved partial sums of a whole buffer, which the host adds in order.</summary>
    public static void PartialSums<T>(Index1D t, ArrayView<T> x, ArrayView<T> partial, int threads, int squares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (long at = t; at < x.Length; at += threads) sum += squares != 0 ? x[at] * x[at] : x[at];
        partial[t] = sum;
    }
}
