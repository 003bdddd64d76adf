using System.Numerics;
using Nabla.Kernels.Gemm;

namespace Nabla.LinearAlgebra;

/// <summary>The matrix product on plain arrays, for code that manages its own buffers (benchmarks, custom layers).</summary>
public static class Blas
{
    /// <summary>C = op(A)·op(B) on row-major arrays, op(X) being X or Xᵀ: A is stored m × k (k × m when
    /// <paramref name="transposeA"/>), B is stored k × n (n × k when <paramref name="transposeB"/>), and C (m × n) is
    /// overwritten. Uses up to <see cref="Parallelism.MaxThreads"/> threads.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or an array is shorter than its matrix.</exception>
    public static void Gemm<T>(T[] a, bool transposeA, T[] b, bool transposeB, T[] c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Blas.Gemm: element type {typeof(T).Name} is not supported (float or double)");
        if (m < 0 || k < 0 || n < 0) throw new ArgumentException($"Blas.Gemm: dimensions must not be negative, got m={m}, k={k}, n={n}");
        if (a.LongLength < (long)m * k || b.LongLength < (long)k * n || c.LongLength < (long)m * n)
        {
            throw new ArgumentException(
                $"Blas.Gemm: arrays of lengths {a.Length}, {b.Length}, {c.Length} are too short for {m}×{k} · {k}×{n} → {m}×{n}");
        }

        Kernels.Gemm.Gemm.Multiply(a, 0, transposeA, b, 0, transposeB, c, 0, m, k, n);
    }

    /// <summary>The micro-kernel the product runs on this processor: Vector512, Vector256 or Vector128.</summary>
    public static string KernelName => Kernels.Gemm.Gemm.Kernel.ToString();
}
