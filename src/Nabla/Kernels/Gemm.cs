using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>General matrix multiplication C = A·B for contiguous row-major matrices.</summary>
/// <remarks>A register-blocked kernel: each step keeps a 4-row × 2-vector tile of C in registers and streams one row of B
/// through it, so every load of B feeds four multiply-adds. Rows of C are split across <see cref="Parallelism.MaxThreads"/>
/// threads when the product is large enough to repay the hand-off. (Packing and cache blocking are the speed issue's.)</remarks>
internal static class Gemm
{
    private const long ParallelThreshold = 1L << 18;

    /// <summary>c[m×n] = a[m×k] · b[k×n]; c is overwritten.</summary>
    public static void Multiply<T>(T[] a, int aOffset, T[] b, int bOffset, T[] c, int cOffset, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            c.AsSpan(cOffset, m * n).Clear();
            return;
        }

        int threads = Math.Min(Parallelism.MaxThreads, m / 4);
        if (threads <= 1 || (long)m * n * k < ParallelThreshold)
        {
            MultiplyRows(a, aOffset, b, bOffset, c, cOffset, k, n, 0, m);
            return;
        }

        // Chunks are whole 4-row blocks so that only the last chunk meets a row remainder.
        int blocks = (m + 3) / 4;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int start = (int)((long)blocks * t / threads) * 4;
            int end = Math.Min(m, (int)((long)blocks * (t + 1) / threads) * 4);
            MultiplyRows(a, aOffset, b, bOffset, c, cOffset, k, n, start, end);
        });
    }

    private static void MultiplyRows<T>(T[] a, int aOffset, T[] b, int bOffset, T[] c, int cOffset, int k, int n, int rowStart, int rowEnd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset);
        ref T bRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
        ref T cRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(c), cOffset);
        int i = rowStart;
        for (; i + 4 <= rowEnd; i += 4) MultiplyFourRows(ref aRef, ref bRef, ref cRef, i, k, n);
        for (; i < rowEnd; i++) MultiplyOneRow(ref aRef, ref bRef, ref cRef, i, k, n);
    }

    private static void MultiplyFourRows<T>(ref T a, ref T b, ref T c, int i, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count;
        ref T a0 = ref Unsafe.Add(ref a, i * k);
        ref T a1 = ref Unsafe.Add(ref a0, k);
        ref T a2 = ref Unsafe.Add(ref a1, k);
        ref T a3 = ref Unsafe.Add(ref a2, k);
        int j = 0;
        for (; j + (2 * w) <= n; j += 2 * w)
        {
            Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
            for (int p = 0; p < k; p++)
            {
                ref T bRow = ref Unsafe.Add(ref b, (p * n) + j);
                var b0 = Vector.LoadUnsafe(ref bRow);
                var b1 = Vector.LoadUnsafe(ref bRow, (nuint)w);
                var x0 = new Vector<T>(Unsafe.Add(ref a0, p));
                var x1 = new Vector<T>(Unsafe.Add(ref a1, p));
                var x2 = new Vector<T>(Unsafe.Add(ref a2, p));
                var x3 = new Vector<T>(Unsafe.Add(ref a3, p));
                c00 += x0 * b0; c01 += x0 * b1;
                c10 += x1 * b0; c11 += x1 * b1;
                c20 += x2 * b0; c21 += x2 * b1;
                c30 += x3 * b0; c31 += x3 * b1;
            }

            ref T cRow = ref Unsafe.Add(ref c, (i * n) + j);
            c00.StoreUnsafe(ref cRow); c01.StoreUnsafe(ref cRow, (nuint)w);
            c10.StoreUnsafe(ref cRow, (nuint)n); c11.StoreUnsafe(ref cRow, (nuint)(n + w));
            c20.StoreUnsafe(ref cRow, (nuint)(2 * n)); c21.StoreUnsafe(ref cRow, (nuint)((2 * n) + w));
            c30.StoreUnsafe(ref cRow, (nuint)(3 * n)); c31.StoreUnsafe(ref cRow, (nuint)((3 * n) + w));
        }

        for (; j + w <= n; j += w)
        {
            Vector<T> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int p = 0; p < k; p++)
            {
                var b0 = Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j));
                c0 += new Vector<T>(Unsafe.Add(ref a0, p)) * b0;
                c1 += new Vector<T>(Unsafe.Add(ref a1, p)) * b0;
                c2 += new Vector<T>(Unsafe.Add(ref a2, p)) * b0;
                c3 += new Vector<T>(Unsafe.Add(ref a3, p)) * b0;
            }

            ref T cRow = ref Unsafe.Add(ref c, (i * n) + j);
            c0.StoreUnsafe(ref cRow);
            c1.StoreUnsafe(ref cRow, (nuint)n);
            c2.StoreUnsafe(ref cRow, (nuint)(2 * n));
            c3.StoreUnsafe(ref cRow, (nuint)(3 * n));
        }

        for (; j < n; j++)
        {
            T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
            for (int p = 0; p < k; p++)
            {
                T bv = Unsafe.Add(ref b, (p * n) + j);
                s0 += Unsafe.Add(ref a0, p) * bv;
                s1 += Unsafe.Add(ref a1, p) * bv;
                s2 += Unsafe.Add(ref a2, p) * bv;
                s3 += Unsafe.Add(ref a3, p) * bv;
            }

            Unsafe.Add(ref c, (i * n) + j) = s0;
            Unsafe.Add(ref c, ((i + 1) * n) + j) = s1;
            Unsafe.Add(ref c, ((i + 2) * n) + j) = s2;
            Unsafe.Add(ref c, ((i + 3) * n) + j) = s3;
        }
    }

    private static void MultiplyOneRow<T>(ref T a, ref T b, ref T c, int i, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count;
        ref T aRow = ref Unsafe.Add(ref a, i * k);
        int j = 0;
        for (; j + w <= n; j += w)
        {
            Vector<T> acc = default;
            for (int p = 0; p < k; p++)
                acc += new Vector<T>(Unsafe.Add(ref aRow, p)) * Vector.LoadUnsafe(ref Unsafe.Add(ref b, (p * n) + j));
            acc.StoreUnsafe(ref Unsafe.Add(ref c, (i * n) + j));
        }

        for (; j < n; j++)
        {
            T s = T.Zero;
            for (int p = 0; p < k; p++) s += Unsafe.Add(ref aRow, p) * Unsafe.Add(ref b, (p * n) + j);
            Unsafe.Add(ref c, (i * n) + j) = s;
        }
    }
}
