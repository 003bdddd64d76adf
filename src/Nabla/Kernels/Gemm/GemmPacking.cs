using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels.Gemm;

/// <summary>Copies blocks of A and B into the panel layouts the micro-kernels stream through.</summary>
/// <remarks>
/// Packing is where transposition is absorbed: a transposed operand is read in its stored order and written in the
/// same packed layout as a plain one, so A·B, Aᵀ·B and A·Bᵀ all run the same micro-kernel and no transpose is ever
/// materialised. Packing also pads the last panel with zeros to a whole tile, so the kernel never checks bounds, and
/// puts the values the kernel needs next to each other, so every cache line fetched is used in full.
/// <para>Element access: a stored matrix X with row length <c>ld</c> gives op(X)[r, c] = X[r·ld + c], or X[c·ld + r]
/// when transposed.</para>
/// </remarks>
internal static class GemmPacking
{
    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc] into panels of <paramref name="mr"/> rows: panel q holds, for each
    /// depth p, the values op(A)[i0+q·mr .. +mr, p0+p]; rows past mc are zero.</summary>
    public static void PackA<T>(ref T a, bool transposed, int lda, int i0, int mc, int p0, int kc, ref T packed, int mr)
        where T : unmanaged, INumber<T>
    {
        for (int panel = 0; panel < mc; panel += mr)
        {
            int rows = Math.Min(mr, mc - panel);
            ref T destination = ref Unsafe.Add(ref packed, panel * kc);
            if (transposed)
            {
                // Stored (k × m): the mr values of one depth are contiguous; copy them, pad the rest.
                ref T source = ref Unsafe.Add(ref a, ((nint)p0 * lda) + i0 + panel);
                int vector = Vector256<T>.Count;
                if (rows == mr && (mr == vector || (mr < vector && Vector256.IsHardwareAccelerated)))
                {
                    // One 256-bit load and store per depth. A panel one vector wide (8 floats: the AVX-512 tile) is
                    // copied so at every depth. A narrower one (six floats, the AVX2 tile; four, its short tile): the
                    // store's extra values land in the next depth's slot, which the next store overwrites, and the
                    // load's extra values lie in the stored row or, past the matrix's last column, in the next stored
                    // row, which exists for every depth but the last; so only the last depth is copied value by value.
                    // Packed one value at a time, these panels cost the weight-gradient products Aᵀ·B about 3% on the
                    // AVX2 path.
                    int wide = mr == vector ? kc : kc - 1, p = 0;
                    for (; p < wide; p++)
                        Vector256.LoadUnsafe(ref Unsafe.Add(ref source, (nint)p * lda)).StoreUnsafe(ref Unsafe.Add(ref destination, p * mr));
                    for (; p < kc; p++)
                        for (int r = 0; r < mr; r++) Unsafe.Add(ref destination, (p * mr) + r) = Unsafe.Add(ref source, ((nint)p * lda) + r);
                    continue;
                }

                for (int p = 0; p < kc; p++)
                {
                    ref T from = ref Unsafe.Add(ref source, (nint)p * lda);
                    ref T to = ref Unsafe.Add(ref destination, p * mr);
                    int r = 0;
                    for (; r < rows; r++) Unsafe.Add(ref to, r) = Unsafe.Add(ref from, r);
                    for (; r < mr; r++) Unsafe.Add(ref to, r) = T.Zero;
                }
            }
            else
            {
                // Stored (m × k): each row of the panel is contiguous along the depth; interleave the rows.
                Interleave(ref Unsafe.Add(ref a, ((nint)(i0 + panel) * lda) + p0), lda, rows, kc, ref destination, mr);
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref destination, (p * mr) + r) = T.Zero;
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc] into panels of <paramref name="nr"/> columns: panel q holds, for each
    /// depth p, the values op(B)[p0+p, j0+q·nr .. +nr]; columns past nc are zero.</summary>
    public static void PackB<T>(ref T b, bool transposed, int ldb, int p0, int kc, int j0, int nc, ref T packed, int nr)
        where T : unmanaged, INumber<T>
    {
        for (int panel = 0; panel < nc; panel += nr)
        {
            int columns = Math.Min(nr, nc - panel);
            ref T destination = ref Unsafe.Add(ref packed, panel * kc);
            if (transposed)
            {
                // Stored (n × k): each column of op(B) is a contiguous stored row; interleave them.
                Interleave(ref Unsafe.Add(ref b, ((nint)(j0 + panel) * ldb) + p0), ldb, columns, kc, ref destination, nr);
                for (int c = columns; c < nr; c++)
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref destination, (p * nr) + c) = T.Zero;
            }
            else
            {
                // Stored (k × n): the nr values of one depth are contiguous; copy them, pad the rest.
                ref T source = ref Unsafe.Add(ref b, ((nint)p0 * ldb) + j0 + panel);
                for (int p = 0; p < kc; p++)
                {
                    ref T from = ref Unsafe.Add(ref source, (nint)p * ldb);
                    ref T to = ref Unsafe.Add(ref destination, p * nr);
                    if (columns == nr && nr * Unsafe.SizeOf<T>() == 64 && Vector256.IsHardwareAccelerated)
                    {
                        // The AVX2 tile's 16 floats: two loads and two stores, not a call to a general copy.
                        Vector256.LoadUnsafe(ref Unsafe.As<T, byte>(ref from)).StoreUnsafe(ref Unsafe.As<T, byte>(ref to));
                        Vector256.LoadUnsafe(ref Unsafe.As<T, byte>(ref from), 32).StoreUnsafe(ref Unsafe.As<T, byte>(ref to), 32);
                    }
                    else if (columns == nr)
                    {
                        MemoryMarshal.CreateReadOnlySpan(ref from, nr).CopyTo(MemoryMarshal.CreateSpan(ref to, nr));
                    }
                    else
                    {
                        int c = 0;
                        for (; c < columns; c++) Unsafe.Add(ref to, c) = Unsafe.Add(ref from, c);
                        for (; c < nr; c++) Unsafe.Add(ref to, c) = T.Zero;
                    }

                }
            }
        }
    }

    /// <summary>destination[p·width + r] = source[r·stride + p] for r &lt; <paramref name="count"/>, p &lt; <paramref name="depth"/>:
    /// <paramref name="count"/> contiguous runs written side by side, one value of each per depth. This is a transpose,
    /// done 8 × 8 values at a time in AVX registers for float32 (eight 32-byte loads, 24 shuffles, eight stores instead
    /// of 64 scattered scalar stores), and 6 × 8 at a time for the six-row A panels of the AVX2 and Vector128 tiles
    /// (before, those went one value at a time: about 5% of a 1024³ product on the AVX2 path); the edges and other
    /// types go one value at a time.</summary>
    private static void Interleave<T>(ref T source, nint stride, int count, int depth, ref T destination, int width)
        where T : unmanaged, INumber<T>
    {
        int r = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            ref float sourceF = ref Unsafe.As<T, float>(ref source);
            ref float destinationF = ref Unsafe.As<T, float>(ref destination);
            for (; r + 8 <= count; r += 8)
            {
                int p = 0;
                for (; p + 8 <= depth; p += 8)
                    Transpose8x8(ref Unsafe.Add(ref sourceF, (r * stride) + p), stride, ref Unsafe.Add(ref destinationF, (p * width) + r), width);
                for (; p < depth; p++)
                    for (int i = r; i < r + 8; i++) Unsafe.Add(ref destination, (p * width) + i) = Unsafe.Add(ref source, (i * stride) + p);
            }

            if (r == 0 && count == 6 && width == 6)
            {
                int p = 0;
                for (; p + 8 <= depth; p += 8)
                    Transpose8x8(ref Unsafe.Add(ref sourceF, p), stride, ref Unsafe.Add(ref destinationF, p * 6), 6, sixRows: true);
                for (; p < depth; p++)
                    for (int i = 0; i < 6; i++) Unsafe.Add(ref destination, (p * 6) + i) = Unsafe.Add(ref source, (i * stride) + p);
                return;
            }
        }

        for (; r < count; r++)
        {
            ref T from = ref Unsafe.Add(ref source, r * stride);
            for (int p = 0; p < depth; p++) Unsafe.Add(ref destination, (p * width) + r) = Unsafe.Add(ref from, p);
        }
    }

    /// <summary>Reads an 8 × 8 block (rows <paramref name="sourceStride"/> apart) and writes its transpose (rows
    /// <paramref name="destinationStride"/> apart): unpack pairs of rows, shuffle pairs of pairs, swap 128-bit halves.
    /// With <paramref name="sixRows"/>, only six rows are read (the last two taken as zeros) and each written row
    /// holds six values, six apart: every row but the last is stored as a whole vector whose two extra values the next
    /// row's store overwrites, in order, and the last as four values and two, so nothing past the block is
    /// written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, nint sourceStride, ref float destination, nint destinationStride, bool sixRows = false)
    {
        var r0 = Vector256.LoadUnsafe(ref source);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * sourceStride));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * sourceStride));
        var r6 = sixRows ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * sourceStride));
        var r7 = sixRows ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * sourceStride));

        // t: within each 128-bit half, interleave two rows: (a0 b0 a1 b1 | a4 b4 a5 b5) and (a2 b2 a3 b3 | a6 b6 a7 b7).
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);

        // u: gather four rows' values of one column per half: (a0 b0 c0 d0 | a4 b4 c4 d4), …
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the low halves (columns 0–3) and the high halves (columns 4–7) of rows 0–3 and 4–7.
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref destination);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, destinationStride));
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 2 * destinationStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 3 * destinationStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 4 * destinationStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 5 * destinationStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 6 * destinationStride));
        var last = Avx.Permute2x128(u3, u7, 0x31);
        ref float lastRow = ref Unsafe.Add(ref destination, 7 * destinationStride);
        if (sixRows)
        {
            last.GetLower().StoreUnsafe(ref lastRow);
            Unsafe.Add(ref lastRow, 4) = last.GetElement(4);
            Unsafe.Add(ref lastRow, 5) = last.GetElement(5);
        }
        else
        {
            last.StoreUnsafe(ref lastRow);
        }
    }
}
