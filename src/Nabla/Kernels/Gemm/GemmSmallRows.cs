using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static Nabla.Kernels.Gemm.GemmMicroKernels;

namespace Nabla.Kernels.Gemm;

/// <summary>Products with at most 12 rows on one side — a classifier's output layer: C (10 × 256) = Gᵀ·H for its
/// weight gradient, and Cᵀ (10 × 128) for its forward pass X·Wᵀ — computed with every row in registers at once.</summary>
/// <remarks>
/// <para>The blocked algorithm pads rows to whole tiles (10 rows cost 16 on AVX-512, 12 on AVX2) and packs A; here the
/// tile has exactly as many rows as C: for each block of 2·W columns, the 2·rows accumulators stay in registers over
/// the whole depth, each step loads two vectors of B and broadcasts one value of A per row. A is read where it lies,
/// whatever its layout (a broadcast needs no contiguity); B is read where it lies when it is stored k × n with whole
/// column blocks, and is packed otherwise.</para>
/// <para>AVX-512's 32 registers hold all 12 rows (24 accumulators); AVX2's 16 hold 6 (12 accumulators, + 2 for B
/// and 1 broadcast), so there the rows run in balanced groups of at most 6 (10 rows as 5 + 5), each reading the same
/// block of B again from the L1 cache.</para>
/// <para>The row count is a type argument (<see cref="ITileRows"/>), so the JIT compiles one kernel per count with the
/// unused rows' code removed: rows stay in registers without a tile per count written out by hand. The vector width
/// is one too (<see cref="ISmallRowsTile"/>).</para>
/// </remarks>
internal static class GemmSmallRows
{
    /// <summary>The most rows this path takes: 12 rows × 2 vectors = 24 accumulators of AVX-512's 32 registers.</summary>
    public const int MaxRows = 12;

    /// <summary>The most rows one AVX2 tile holds: 6 rows × 2 vectors = 12 of 16 registers.</summary>
    private const int MaxRowsNarrow = 6;

    /// <summary>C (or Cᵀ when <paramref name="transposeC"/>) from rows × k op(A) and k × n op(B), on the 512-bit or
    /// 256-bit tile (<paramref name="kernel"/>). A element (r, p) is at a[r·aRow + p·aDepth]; B element (p, j) is at
    /// b[p·ldb + j] (stored k × n) or b[j·ldb + p] (transposed).</summary>
    public static void Run<T>(
        int rows, ref T a, nint aRow, nint aDepth,
        T[] b, int bOffset, bool transposeB, int ldb,
        T[] c, int cOffset, bool transposeC, int k, int n,
        T[]? bias, bool relu, bool accumulate, T[] packBuffer, T[] scratch, GemmKernel kernel = GemmKernel.Vector512)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"at most {MaxRows} rows");
        if (kernel == GemmKernel.Vector512)
        {
            Rows<T, Tile512>(rows, ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, 0, rows, bPacked: false);
            return;
        }

        // Balanced groups of at most six rows: 10 = 5 + 5, 7 = 4 + 3. Each group walks all of B's column blocks before
        // the next starts: measured 20% faster on W1's 10-row products than one walk over B's blocks running every
        // group on each, which keeps neither group's A rows in L1. A transposed B is packed whole, once, when it fits
        // the buffer (W1's classifier forward: 256 × 128 values), not block by block in every group: packed twice, its
        // transposes took about as long as the multiply-adds (W1 fc3 forward 1.21× with one packing, AVX2).
        int groups = (rows + MaxRowsNarrow - 1) / MaxRowsNarrow;
        int width = Tile256.Width<T>();
        bool packWhole = groups > 1 && transposeB && (long)k * RoundUp(n, width) <= packBuffer.Length;
        if (packWhole) GemmPacking.PackB(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset), transposeB, ldb, 0, k, 0, n, ref MemoryMarshal.GetArrayDataReference(packBuffer), width);
        for (int g = 0, first = 0; g < groups; g++)
        {
            int count = (rows - first) / (groups - g);
            Rows<T, Tile256>(count, ref Unsafe.Add(ref a, first * aRow), aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, rows, packWhole);
            first += count;
        }
    }

    /// <summary>The packing buffer's length that lets the AVX2 tile pack all of a k × n op(B) at once (n rounded up to
    /// whole tiles), or 0 when that would pass <paramref name="limit"/> values: callers size the buffer with it.</summary>
    public static int WholePackLength<T>(int k, int n, int limit)
        where T : unmanaged
    {
        long whole = (long)k * RoundUp(n, 2 * Vector256<T>.Count);
        return whole <= limit ? (int)whole : 0;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Rows [first, first + count) of a product with <paramref name="totalRows"/> rows, on one tile kind.</summary>
    private static void Rows<T, TTile>(
        int count, ref T a, nint aRow, nint aDepth,
        T[] b, int bOffset, bool transposeB, int ldb,
        T[] c, int cOffset, bool transposeC, int k, int n,
        T[]? bias, bool relu, bool accumulate, T[] packBuffer, T[] scratch, int first, int totalRows, bool bPacked)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TTile : struct, ISmallRowsTile
    {
        switch (count)
        {
            case 1: Run<T, Rows1, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 2: Run<T, Rows2, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 3: Run<T, Rows3, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 4: Run<T, Rows4, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 5: Run<T, Rows5, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 6: Run<T, Rows6, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 7: Run<T, Rows7, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 8: Run<T, Rows8, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 9: Run<T, Rows9, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 10: Run<T, Rows10, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            case 11: Run<T, Rows11, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
            default: Run<T, Rows12, TTile>(ref a, aRow, aDepth, b, bOffset, transposeB, ldb, c, cOffset, transposeC, k, n, bias, relu, accumulate, packBuffer, scratch, first, totalRows, bPacked); break;
        }
    }

    /// <summary>Rows [first, first + TRows.Count) of C (of <paramref name="totalRows"/>), A pointing at row first. With
    /// <paramref name="bPacked"/>, <paramref name="packBuffer"/> already holds all of op(B) in panels of the tile's
    /// width (column block j at j·k).</summary>
    private static void Run<T, TRows, TTile>(
        ref T a, nint aRow, nint aDepth,
        T[] b, int bOffset, bool transposeB, int ldb,
        T[] c, int cOffset, bool transposeC, int k, int n,
        T[]? bias, bool relu, bool accumulate, T[] packBuffer, T[] scratch, int first, int totalRows, bool bPacked)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
        where TTile : struct, ISmallRowsTile
    {
        int rows = TRows.Count, width = TTile.Width<T>();
        ref T bStored = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
        ref T packed = ref MemoryMarshal.GetArrayDataReference(packBuffer);
        ref T tile = ref MemoryMarshal.GetArrayDataReference(scratch);
        bool direct = !transposeB;
        for (int j = 0; j < n; j += width)
        {
            int columns = Math.Min(width, n - j);
            ref T bPanel = ref Unsafe.Add(ref bStored, j);
            nint bStride = ldb;
            if (bPacked)
            {
                bPanel = ref Unsafe.Add(ref packed, (nint)j * k);
                bStride = width;
            }
            else if (!direct || columns < width)
            {
                // Transposed, or a last block narrower than the tile: pack this block, zero-padded.
                GemmPacking.PackB(ref bStored, transposeB, ldb, 0, k, j, columns, ref packed, width);
                bPanel = ref packed;
                bStride = width;
            }

            if (!transposeC && columns == width)
            {
                // A whole block of C's rows: the tile goes straight into C, then the epilogue over it.
                ref T cBlock = ref c[cOffset + (first * n) + j];
                TTile.Tile<T, TRows>(ref a, aRow, aDepth, ref bPanel, bStride, k, ref cBlock, n, accumulate);
                if (bias is null && !relu) continue;
                for (int r = first; r < first + rows; r++)
                {
                    var target = c.AsSpan(cOffset + (r * n) + j, columns);
                    if (bias is not null) TensorPrimitives.Add(target, bias.AsSpan(j, columns), target);
                    if (relu) TensorPrimitives.Max(target, T.Zero, target);
                }

                continue;
            }

            TTile.Tile<T, TRows>(ref a, aRow, aDepth, ref bPanel, bStride, k, ref tile, width, accumulate: false);
            if (transposeC)
            {
                // Column col of the tile is row j + col of C (n × totalRows): this group's values land side by side.
                // One bounds check for the block, and the epilogue's parts as separate loops: with a span per row
                // and the three options tested at every value, this copy took a fifth of W1's classifier forward.
                var block = c.AsSpan(cOffset + (j * totalRows) + first, ((columns - 1) * totalRows) + rows);
                var biasRows = bias is null ? default : new ReadOnlySpan<T>(bias, first, rows);
                for (int col = 0; col < columns; col++)
                {
                    var target = block.Slice(col * totalRows, rows);
                    ref T value = ref Unsafe.Add(ref tile, col);
                    if (accumulate)
                        for (int r = 0; r < rows; r++) target[r] += Unsafe.Add(ref value, r * width);
                    else
                        for (int r = 0; r < rows; r++) target[r] = Unsafe.Add(ref value, r * width);
                    if (bias is not null)
                        for (int r = 0; r < rows; r++) target[r] += biasRows[r];
                    if (relu)
                        for (int r = 0; r < rows; r++) target[r] = T.Max(target[r], T.Zero);
                }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    var target = c.AsSpan(cOffset + ((first + r) * n) + j, columns);
                    var values = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref tile, r * width), columns);
                    if (accumulate) TensorPrimitives.Add(values, target, target);
                    else values.CopyTo(target);
                    if (bias is not null) TensorPrimitives.Add(target, bias.AsSpan(j, columns), target);
                    if (relu) TensorPrimitives.Max(target, T.Zero, target);
                }
            }
        }
    }
}

/// <summary>The register tile of <see cref="GemmSmallRows"/> on one vector width: tile[r, 0..2W) (+)= Σₚ A(r, p)·B(p,
/// 0..2W) for r &lt; TRows.Count, tile rows ldTile apart, B rows bStride apart.</summary>
internal interface ISmallRowsTile
{
    /// <summary>2·W, the tile's columns.</summary>
    static abstract int Width<T>()
        where T : unmanaged;

    /// <summary>The tile.</summary>
    static abstract void Tile<T, TRows>(ref T a, nint aRow, nint aDepth, ref T b, nint bStride, int k, ref T tile, nint ldTile, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows;
}

/// <summary>AVX-512: up to 12 rows × 2 vectors in registers.</summary>
internal readonly struct Tile512 : ISmallRowsTile
{
    public static int Width<T>()
        where T : unmanaged => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<T, TRows>(ref T a, nint aRow, nint aDepth, ref T b, nint bStride, int k, ref T tile, nint ldTile, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
    {
        nuint w = (nuint)Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default, c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        ref T a1 = ref Unsafe.Add(ref a, aRow);
        ref T a2 = ref Unsafe.Add(ref a, 2 * aRow);
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        ref T a4 = ref Unsafe.Add(ref a, 4 * aRow);
        ref T a5 = ref Unsafe.Add(ref a, 5 * aRow);
        for (int p = 0; p < k; p++)
        {
            // Rows past TRows.Count are removed by the JIT: the conditions are constants in each instantiation.
            nint at = p * aDepth;
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, w);
            var x = Vector512.Create(Unsafe.Add(ref a, at));
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            if (TRows.Count > 1) { x = Vector512.Create(Unsafe.Add(ref a1, at)); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11); }
            if (TRows.Count > 2) { x = Vector512.Create(Unsafe.Add(ref a2, at)); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21); }
            if (TRows.Count > 3) { x = Vector512.Create(Unsafe.Add(ref a3, at)); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31); }
            if (TRows.Count > 4) { x = Vector512.Create(Unsafe.Add(ref a4, at)); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41); }
            if (TRows.Count > 5) { x = Vector512.Create(Unsafe.Add(ref a5, at)); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51); }
            if (TRows.Count > 6) { x = Vector512.Create(Unsafe.Add(ref a5, at + aRow)); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61); }
            if (TRows.Count > 7) { x = Vector512.Create(Unsafe.Add(ref a5, at + (2 * aRow))); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71); }
            if (TRows.Count > 8) { x = Vector512.Create(Unsafe.Add(ref a5, at + (3 * aRow))); c80 = Fma(x, b0, c80); c81 = Fma(x, b1, c81); }
            if (TRows.Count > 9) { x = Vector512.Create(Unsafe.Add(ref a5, at + (4 * aRow))); c90 = Fma(x, b0, c90); c91 = Fma(x, b1, c91); }
            if (TRows.Count > 10) { x = Vector512.Create(Unsafe.Add(ref a5, at + (5 * aRow))); ca0 = Fma(x, b0, ca0); ca1 = Fma(x, b1, ca1); }
            if (TRows.Count > 11) { x = Vector512.Create(Unsafe.Add(ref a5, at + (6 * aRow))); cb0 = Fma(x, b0, cb0); cb1 = Fma(x, b1, cb1); }
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldTile;
        Store(c00, ref tile, 0, accumulate); Store(c01, ref tile, w, accumulate);
        if (TRows.Count > 1) { Store(c10, ref tile, row, accumulate); Store(c11, ref tile, row + w, accumulate); }
        if (TRows.Count > 2) { Store(c20, ref tile, 2 * row, accumulate); Store(c21, ref tile, (2 * row) + w, accumulate); }
        if (TRows.Count > 3) { Store(c30, ref tile, 3 * row, accumulate); Store(c31, ref tile, (3 * row) + w, accumulate); }
        if (TRows.Count > 4) { Store(c40, ref tile, 4 * row, accumulate); Store(c41, ref tile, (4 * row) + w, accumulate); }
        if (TRows.Count > 5) { Store(c50, ref tile, 5 * row, accumulate); Store(c51, ref tile, (5 * row) + w, accumulate); }
        if (TRows.Count > 6) { Store(c60, ref tile, 6 * row, accumulate); Store(c61, ref tile, (6 * row) + w, accumulate); }
        if (TRows.Count > 7) { Store(c70, ref tile, 7 * row, accumulate); Store(c71, ref tile, (7 * row) + w, accumulate); }
        if (TRows.Count > 8) { Store(c80, ref tile, 8 * row, accumulate); Store(c81, ref tile, (8 * row) + w, accumulate); }
        if (TRows.Count > 9) { Store(c90, ref tile, 9 * row, accumulate); Store(c91, ref tile, (9 * row) + w, accumulate); }
        if (TRows.Count > 10) { Store(ca0, ref tile, 10 * row, accumulate); Store(ca1, ref tile, (10 * row) + w, accumulate); }
        if (TRows.Count > 11) { Store(cb0, ref tile, 11 * row, accumulate); Store(cb1, ref tile, (11 * row) + w, accumulate); }
    }
}

/// <summary>AVX2: up to 6 rows × 2 vectors in registers.</summary>
internal readonly struct Tile256 : ISmallRowsTile
{
    public static int Width<T>()
        where T : unmanaged => 2 * Vector256<T>.Count;

    // Not inlined: inside the large body of its caller the JIT kept the row references on the stack and reloaded
    // them at every step of the depth loop; on its own every reference stays in a register.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Tile<T, TRows>(ref T a, nint aRow, nint aDepth, ref T b, nint bStride, int k, ref T tile, nint ldTile, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
    {
        nuint w = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref T a1 = ref Unsafe.Add(ref a, aRow);
        ref T a2 = ref Unsafe.Add(ref a, 2 * aRow);
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        ref T a4 = ref Unsafe.Add(ref a, 4 * aRow);
        ref T a5 = ref Unsafe.Add(ref a, 5 * aRow);
        for (int p = 0; p < k; p++)
        {
            nint at = p * aDepth;
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, w);
            var x = Vector256.Create(Unsafe.Add(ref a, at));
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            if (TRows.Count > 1) { x = Vector256.Create(Unsafe.Add(ref a1, at)); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11); }
            if (TRows.Count > 2) { x = Vector256.Create(Unsafe.Add(ref a2, at)); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21); }
            if (TRows.Count > 3) { x = Vector256.Create(Unsafe.Add(ref a3, at)); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31); }
            if (TRows.Count > 4) { x = Vector256.Create(Unsafe.Add(ref a4, at)); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41); }
            if (TRows.Count > 5) { x = Vector256.Create(Unsafe.Add(ref a5, at)); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51); }
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldTile;
        Store(c00, ref tile, 0, accumulate); Store(c01, ref tile, w, accumulate);
        if (TRows.Count > 1) { Store(c10, ref tile, row, accumulate); Store(c11, ref tile, row + w, accumulate); }
        if (TRows.Count > 2) { Store(c20, ref tile, 2 * row, accumulate); Store(c21, ref tile, (2 * row) + w, accumulate); }
        if (TRows.Count > 3) { Store(c30, ref tile, 3 * row, accumulate); Store(c31, ref tile, (3 * row) + w, accumulate); }
        if (TRows.Count > 4) { Store(c40, ref tile, 4 * row, accumulate); Store(c41, ref tile, (4 * row) + w, accumulate); }
        if (TRows.Count > 5) { Store(c50, ref tile, 5 * row, accumulate); Store(c51, ref tile, (5 * row) + w, accumulate); }
    }
}

/// <summary>A row count known to the JIT at compile time (see <see cref="GemmSmallRows"/>).</summary>
internal interface ITileRows
{
    static abstract int Count { get; }
}

#pragma warning disable SA1402, CA1812 // the twelve counts belong together; they are used only as type arguments
internal readonly struct Rows1 : ITileRows { public static int Count => 1; }
internal readonly struct Rows2 : ITileRows { public static int Count => 2; }
internal readonly struct Rows3 : ITileRows { public static int Count => 3; }
internal readonly struct Rows4 : ITileRows { public static int Count => 4; }
internal readonly struct Rows5 : ITileRows { public static int Count => 5; }
internal readonly struct Rows6 : ITileRows { public static int Count => 6; }
internal readonly struct Rows7 : ITileRows { public static int Count => 7; }
internal readonly struct Rows8 : ITileRows { public static int Count => 8; }
internal readonly struct Rows9 : ITileRows { public static int Count => 9; }
internal readonly struct Rows10 : ITileRows { public static int Count => 10; }
internal readonly struct Rows11 : ITileRows { public static int Count => 11; }
internal readonly struct Rows12 : ITileRows { public static int Count => 12; }
#pragma warning restore SA1402, CA1812
