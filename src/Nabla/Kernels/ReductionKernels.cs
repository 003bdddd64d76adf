using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>Reductions of one axis of a tensor viewed as (outer, n, inner) to (outer, inner).
/// Any set of axes is reduced by applying these one axis at a time.</summary>
internal static class ReductionKernels
{
    /// <summary>d[o, j] = Σ_k x[o, k, j].</summary>
    public static void Sum<T>(ReadOnlySpan<T> x, int outer, int n, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) destination[o] = TensorPrimitives.Sum(x.Slice(o * n, n));
            return;
        }

        destination.Clear();
        for (int o = 0; o < outer; o++)
        {
            var d = destination.Slice(o * inner, inner);
            for (int k = 0; k < n; k++) TensorPrimitives.Add(d, x.Slice(((o * n) + k) * inner, inner), d);
        }
    }

    /// <summary>d[o, j] = max_k x[o, k, j]; NaN propagates.</summary>
    public static void Max<T>(ReadOnlySpan<T> x, int outer, int n, int inner, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0) throw new ArgumentException("max over an empty axis is undefined");
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) destination[o] = TensorPrimitives.Max(x.Slice(o * n, n));
            return;
        }

        for (int o = 0; o < outer; o++)
        {
            var d = destination.Slice(o * inner, inner);
            x.Slice(o * n * inner, inner).CopyTo(d);
            for (int k = 1; k < n; k++) TensorPrimitives.Max(d, x.Slice(((o * n) + k) * inner, inner), d);
        }
    }

    /// <summary>d[o, j] = argmax_k x[o, k, j], the first index on ties.</summary>
    public static void ArgMax<T>(ReadOnlySpan<T> x, int outer, int n, int inner, Span<int> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0) throw new ArgumentException("argmax over an empty axis is undefined");
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                destination[o] = TensorPrimitives.IndexOfMax(x.Slice(o * n, n));
                continue;
            }

            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                T bestValue = x[(o * n * inner) + j];
                for (int k = 1; k < n; k++)
                {
                    T v = x[(((o * n) + k) * inner) + j];
                    if (v > bestValue || (T.IsNaN(v) && !T.IsNaN(bestValue)))
                    {
                        best = k;
                        bestValue = v;
                    }
                }

                destination[(o * inner) + j] = best;
            }
        }
    }
}
