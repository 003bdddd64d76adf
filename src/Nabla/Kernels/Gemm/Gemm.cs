using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.Threading;

namespace Nabla.Kernels.Gemm;

/// <summary>General matrix multiplication for contiguous row-major matrices:
/// C = op(A)·op(B) [+ bias], or C += op(A)·op(B) [+ bias], where op(X) is X or Xᵀ, optionally followed by ReLU.</summary>
/// <remarks>
/// <para>Shapes: op(A) is m × k, op(B) is k × n, C is m × n; the optional bias has n values, one per column of C (the
/// output units of a <c>Linear</c> layer), and is added once the product is complete, while the block is still in
/// cache; ReLU, when asked for, is applied in the same pass — the layer's epilogue, fused.</para>
/// <para>Each thread owns a rectangle of C and runs the blocked algorithm on it (see <see cref="GemmKernels"/>) with
/// its own packing buffers, allocated once per thread and reused, so a warm product allocates nothing. C is split
/// along its columns when it is wide enough, because each part then packs only its own columns of B and shares
/// nothing but A; otherwise along its rows. With few rows of C (a convolution's output channels), a plain B is not
/// packed at all: the micro-kernel reads its panels in place; with few columns of C (a convolution's weight gradient,
/// computed transposed), neither is a plain A.</para>
/// <para>Four paths for small shapes, where the blocked algorithm's set-up and padding would dominate: products
/// under 4,096 multiply-adds run a direct loop; products with at most 12 rows or columns (a classifier's 10 outputs),
/// run on <see cref="GemmSmallRows"/> with AVX-512 or AVX2, as do products at most 16 deep with AVX-512; narrow A·Bᵀ
/// on 128-bit vectors runs as blocked dot products.</para>
/// </remarks>
internal static class Gemm
{
    /// <summary>The kernel used unless a call names one (tests name each in turn, to check every path here).</summary>
    public static GemmKernel Kernel { get; } = GemmKernels.Best;

    /// <summary>Below this many multiply-adds a product runs on one thread: waking a second costs more than it saves.</summary>
    private const long ParallelThreshold = 1L << 19;

    /// <summary>Below this many multiply-adds a product skips packing and runs the direct loop.</summary>
    private const long DirectThreshold = 4096;

    /// <summary>C[m×n] = op(A)·op(B) (+ bias), or C += … when <paramref name="accumulate"/>, then C = max(C, 0) when
    /// <paramref name="relu"/>. A is stored m × k (k × m when <paramref name="transposeA"/>) from
    /// <paramref name="aOffset"/>; B is stored k × n (n × k when <paramref name="transposeB"/>) from
    /// <paramref name="bOffset"/>; C is m × n from <paramref name="cOffset"/>. Naming a <paramref name="kernel"/>
    /// forces the blocked algorithm on it (tests use this to check every kernel on one processor).</summary>
    public static void Multiply<T>(
        T[] a, int aOffset, bool transposeA,
        T[] b, int bOffset, bool transposeB,
        T[] c, int cOffset, int m, int k, int n,
        T[]? bias = null, bool relu = false, bool accumulate = false, GemmKernel? kernel = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        var chosen = kernel ?? Kernel;
        var problem = new GemmProblem<T>(a, aOffset, transposeA, b, bOffset, transposeB, c, cOffset, m, k, n, bias, relu, accumulate, chosen);
        long work = (long)m * n * k;
        if (work <= DirectThreshold || k == 0)
        {
            problem.RunDirect();
            return;
        }

        if (kernel is null && chosen != GemmKernel.Vector128 && k <= SmallRowsMaxDepth && Math.Min(m, n) <= GemmSmallRows.MaxRows)
        {
            RunSmallRows(a, aOffset, transposeA, b, bOffset, transposeB, c, cOffset, m, k, n, bias, relu, accumulate, chosen);
            return;
        }

        if (kernel is null && chosen == GemmKernel.Vector512 && k <= ShallowDepth && !transposeB)
        {
            RunShallow(a, aOffset, transposeA, b, bOffset, c, cOffset, m, k, n, bias, relu, accumulate);
            return;
        }

        if (!transposeA && transposeB && n < GemmKernels.TileColumns<T>(chosen) / 2 && kernel is null)
        {
            problem.RunDotProducts();
            return;
        }

        int tileRows = GemmKernels.TileRows(chosen), tileColumns = GemmKernels.TileColumns<T>(chosen);
        int parts = (int)Math.Min(Parallelism.MaxThreads, Math.Max(1, work / ParallelThreshold));
        bool splitColumns = n >= parts * tileColumns * 2 || m < parts * tileRows * 2;
        parts = Math.Min(parts, splitColumns ? (n + tileColumns - 1) / tileColumns : (m + tileRows - 1) / tileRows);
        if (parts <= 1)
        {
            problem.RunBlocked(0, m, 0, n);
            return;
        }

        var job = GemmJob<T>.ForThisThread;
        job.Set(problem, splitColumns, splitColumns ? tileColumns : tileRows);
        try
        {
            WorkerPool.Run(job, parts);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>C's rows (of one thread's share) up to which plain B is read in place (see
    /// <c>GemmProblem.ReadsBInPlace</c>): on AVX-512 288 rows gained 4%, 384 rows 8% and 512 rows 3%; on AVX2 288 rows
    /// 3%, 384 rows nothing and 512 rows lost 3%.</summary>
    private const int InPlaceRows = 320;

    /// <summary>C's columns (of one thread's share) up to which plain A is read in place (see
    /// <c>GemmProblem.ReadsAInPlace</c>).</summary>
    private const int InPlaceAColumns = 64;

    /// <summary>Products at most this deep skip packing altogether (see <see cref="RunShallow{T}"/>).</summary>
    private const int ShallowDepth = 16;

    /// <summary>A product so shallow (an input gradient through a 10-class layer: k = 10) that packing would cost as
    /// much as the arithmetic: blocks of 12 rows run on the small-rows kernel, reading A and B where they lie and
    /// writing C in place.</summary>
    private static void RunShallow<T>(
        T[] a, int aOffset, bool transposeA, T[] b, int bOffset,
        T[] c, int cOffset, int m, int k, int n, T[]? bias, bool relu, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = 2 * System.Runtime.Intrinsics.Vector512<T>.Count;
        var buffers = PackingBuffers<T>.ForThisThread(0, k * width, GemmSmallRows.MaxRows * width);
        for (int i = 0; i < m; i += GemmSmallRows.MaxRows)
        {
            int rows = Math.Min(GemmSmallRows.MaxRows, m - i);
            ref T aBlock = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset + (transposeA ? i : i * k));
            GemmSmallRows.Run(rows, ref aBlock, transposeA ? 1 : k, transposeA ? m : 1, b, bOffset, false, n,
                c, cOffset + (i * n), transposeC: false, k, n, bias, relu, accumulate, buffers.B, buffers.Tile);
        }
    }

    /// <summary>The small-rows path packs a whole k × 2W panel of B at most; this bounds it by the packing buffer.</summary>
    private const int SmallRowsMaxDepth = GemmKernels.DepthBlock * GemmKernels.ColumnBlock / 64;

    /// <summary>The most elements the small-rows path packs of B at once (64 K values, 256 KiB of floats: in L2).</summary>
    private const int SmallRowsWholePackLimit = 1 << 16;

    /// <summary>C with at most 12 rows, or at most 12 columns (then computed as Cᵀ = op(B)ᵀ·op(A)ᵀ and stored
    /// transposed), on <see cref="GemmSmallRows"/>: no padding to 8-row tiles, no packing of the small operand.</summary>
    internal static void RunSmallRows<T>(
        T[] a, int aOffset, bool transposeA, T[] b, int bOffset, bool transposeB,
        T[] c, int cOffset, int m, int k, int n, T[]? bias, bool relu, bool accumulate, GemmKernel kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = k * 2 * System.Runtime.Intrinsics.Vector512<T>.Count;
        int whole = kernel == GemmKernel.Vector256 ? GemmSmallRows.WholePackLength<T>(k, m <= GemmSmallRows.MaxRows ? n : m, SmallRowsWholePackLimit) : 0;
        var buffers = PackingBuffers<T>.ForThisThread(0, Math.Max(panel, whole), GemmSmallRows.MaxRows * 2 * System.Runtime.Intrinsics.Vector512<T>.Count);
        if (m <= GemmSmallRows.MaxRows)
        {
            // Rows r of op(A): plain A (m × k) has them k apart, transposed A (k × m) has them adjacent.
            ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset);
            GemmSmallRows.Run(m, ref aRef, transposeA ? 1 : k, transposeA ? m : 1, b, bOffset, transposeB, transposeB ? k : n,
                c, cOffset, transposeC: false, k, n, bias, relu, accumulate, buffers.B, buffers.Tile, kernel);
        }
        else
        {
            // Cᵀ (n × m) = op(B)ᵀ·op(A)ᵀ: the rows are op(B)'s columns; op(A)ᵀ is read as a B operand, transposed
            // exactly when A is not.
            ref T bRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
            GemmSmallRows.Run(n, ref bRef, transposeB ? k : 1, transposeB ? 1 : n, a, aOffset, !transposeA, transposeA ? m : k,
                c, cOffset, transposeC: true, k, m, bias, relu, accumulate, buffers.B, buffers.Tile, kernel);
        }
    }

    /// <summary>One product's operands; the direct and blocked algorithms on a rectangle of C.</summary>
    private readonly struct GemmProblem<T>(
        T[] a, int aOffset, bool transposeA, T[] b, int bOffset, bool transposeB,
        T[] c, int cOffset, int m, int k, int n, T[]? bias, bool relu, bool accumulate, GemmKernel kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int M => m;

        public int N => n;

        /// <summary>Plain dot products, reading op(A) and op(B) in place: for tiny products, where the set-up of the
        /// blocked path (packing, tile bookkeeping) would outweigh the arithmetic.</summary>
        public void RunDirect()
        {
            ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset);
            ref T bRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
            ref T cRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(c), cOffset);
            // Strides of op(A) and op(B) along their row and column index.
            nint aRow = transposeA ? 1 : k, aDepth = transposeA ? m : 1;
            nint bDepth = transposeB ? 1 : n, bColumn = transposeB ? k : 1;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    T sum = T.Zero;
                    ref T aAt = ref Unsafe.Add(ref aRef, i * aRow);
                    ref T bAt = ref Unsafe.Add(ref bRef, j * bColumn);
                    for (int p = 0; p < k; p++) sum += Unsafe.Add(ref aAt, p * aDepth) * Unsafe.Add(ref bAt, p * bDepth);
                    ref T target = ref Unsafe.Add(ref cRef, ((nint)i * n) + j);
                    T value = (accumulate ? target + sum : sum) + (bias is null ? T.Zero : bias[j]);
                    target = relu ? T.Max(value, T.Zero) : value;
                }
            }
        }

        /// <summary>C[i, j] = A[i, :] · B[j, :] as contiguous dot products, for A·Bᵀ with very few columns (a
        /// classifier's output layer, n = 10): a 32-wide tile would be two-thirds padding, while both operands of each
        /// dot product already lie contiguous in memory, so no packing is needed at all.</summary>
        public void RunDotProducts()
        {
            ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset);
            ref T bRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
            int w = Vector<T>.Count;
            for (int i = 0; i < m; i += 4)
            {
                int rows = Math.Min(4, m - i);
                ref T a0 = ref Unsafe.Add(ref aRef, (nint)i * k);
                ref T a1 = ref Unsafe.Add(ref a0, rows > 1 ? k : 0);   // short last block: repeat row 0, discard
                ref T a2 = ref Unsafe.Add(ref a0, rows > 2 ? 2 * k : 0);
                ref T a3 = ref Unsafe.Add(ref a0, rows > 3 ? 3 * k : 0);
                for (int j = 0; j < n; j++)
                {
                    // Four rows of A against one row of B: each load of B feeds four multiply-adds.
                    ref T bRow = ref Unsafe.Add(ref bRef, (nint)j * k);
                    Vector<T> s0 = default, s1 = default, s2 = default, s3 = default;
                    int p = 0;
                    for (; p + w <= k; p += w)
                    {
                        var bv = Vector.LoadUnsafe(ref bRow, (nuint)p);
                        s0 += Vector.LoadUnsafe(ref a0, (nuint)p) * bv;
                        s1 += Vector.LoadUnsafe(ref a1, (nuint)p) * bv;
                        s2 += Vector.LoadUnsafe(ref a2, (nuint)p) * bv;
                        s3 += Vector.LoadUnsafe(ref a3, (nuint)p) * bv;
                    }

                    T d0 = Vector.Sum(s0), d1 = Vector.Sum(s1), d2 = Vector.Sum(s2), d3 = Vector.Sum(s3);
                    for (; p < k; p++)
                    {
                        T bv = Unsafe.Add(ref bRow, p);
                        d0 += Unsafe.Add(ref a0, p) * bv;
                        d1 += Unsafe.Add(ref a1, p) * bv;
                        d2 += Unsafe.Add(ref a2, p) * bv;
                        d3 += Unsafe.Add(ref a3, p) * bv;
                    }

                    Finish(i, j, d0);
                    if (rows > 1) Finish(i + 1, j, d1);
                    if (rows > 2) Finish(i + 2, j, d2);
                    if (rows > 3) Finish(i + 3, j, d3);
                }
            }
        }

        /// <summary>C[i, j] = (C[i, j] if accumulating) + dot + bias[j], then ReLU when asked.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Finish(int i, int j, T dot)
        {
            ref T target = ref c[cOffset + (i * n) + j];
            T value = (accumulate ? target + dot : dot) + (bias is null ? T.Zero : bias[j]);
            target = relu ? T.Max(value, T.Zero) : value;
        }

        /// <summary>The blocked algorithm on rows [i0, i1) and columns [j0, j1) of C.</summary>
        public void RunBlocked(int i0, int i1, int j0, int j1)
        {
            int mr = GemmKernels.TileRows(kernel), nr = GemmKernels.TileColumns<T>(kernel);
            int shortRows = GemmKernels.ShortTileRows(kernel);
            // Depth slices of (nearly) equal size: 784 = 4 × 196 rather than 3 × 256 + 16, whose thin last slice would
            // load and store every tile of C for little arithmetic.
            int slices = (k + GemmKernels.DepthBlock - 1) / GemmKernels.DepthBlock;
            int kcMax = (k + slices - 1) / slices;
            int mcMax = Math.Max(mr, GemmKernels.RowBlock / mr * mr);
            int ncMax = Math.Max(nr, GemmKernels.ColumnBlock / nr * nr);
            // A block may take up to 2·mr - 1 rows more than mcMax (a thin rest joins the block before it), padded.
            var buffers = PackingBuffers<T>.ForThisThread((mcMax + (3 * mr)) * GemmKernels.DepthBlock, GemmKernels.DepthBlock * ncMax, mr * nr);
            ref T aRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset);
            ref T bRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset);
            ref T cRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(c), cOffset);
            ref T packedA = ref MemoryMarshal.GetArrayDataReference(buffers.A);
            ref T packedB = ref MemoryMarshal.GetArrayDataReference(buffers.B);
            int lda = transposeA ? m : k, ldb = transposeB ? k : n;
            bool readsBInPlace = ReadsBInPlace(i1 - i0);
            bool readsAInPlace = ReadsAInPlace(j1 - j0);

            for (int jc = j0; jc < j1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, j1 - jc);
                for (int pc = 0; pc < k; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, k - pc);
                    bool addToC = accumulate || pc > 0;
                    // Plain B's full panels are read where they lie (see ReadsBInPlace); only a part-filled last panel
                    // is packed, padded, at the start of the buffer.
                    int wholeColumns = readsBInPlace ? nc / nr * nr : 0;
                    if (wholeColumns < nc) GemmPacking.PackB(ref bRef, transposeB, ldb, pc, kc, jc + wholeColumns, nc - wholeColumns, ref packedB, nr);
                    for (int ic = i0, mc; ic < i1; ic += mc)
                    {
                        // Fewer than two tiles' rows left after this block: take them into it (128 rows = one block,
                        // not 126 + 2, which would stream all of packed B again for one mostly padded tile).
                        mc = i1 - ic - mcMax < 2 * mr ? i1 - ic : mcMax;
                        int fullRows = GemmKernels.FullPanels(mc, mr, shortRows) * mr, fullEnd = Math.Min(mc, fullRows);
                        // Rows from packFrom on are packed, each where the packed block puts it: all of them, or with A
                        // read in place only a last panel with fewer rows than its tile (padded with zeros).
                        int packFrom = readsAInPlace ? PartialLastPanel(mc, fullRows, mr, shortRows) : 0;
                        if (packFrom < fullEnd)
                            GemmPacking.PackA(ref aRef, transposeA, lda, ic + packFrom, fullEnd - packFrom, pc, kc, ref Unsafe.Add(ref packedA, packFrom * kc), mr);
                        int shortFrom = Math.Max(packFrom, fullRows);
                        if (shortFrom < mc)
                            GemmPacking.PackA(ref aRef, transposeA, lda, ic + shortFrom, mc - shortFrom, pc, kc, ref Unsafe.Add(ref packedA, shortFrom * kc), shortRows);

                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int columns = Math.Min(nr, nc - jr);
                            bool inPlace = jr < wholeColumns;
                            ref T bPanel = ref inPlace ? ref Unsafe.Add(ref bRef, ((nint)pc * ldb) + jc + jr) : ref Unsafe.Add(ref packedB, (jr - wholeColumns) * kc);
                            nint bStride = inPlace ? ldb : nr;
                            for (int ir = 0, panelRows; ir < mc; ir += panelRows)
                            {
                                panelRows = ir < fullRows ? mr : shortRows;
                                int rows = Math.Min(panelRows, mc - ir);
                                bool aInPlace = readsAInPlace && rows == panelRows;
                                ref T aPanel = ref aInPlace ? ref Unsafe.Add(ref aRef, ((nint)(ic + ir) * lda) + pc) : ref Unsafe.Add(ref packedA, ir * kc);
                                ref T cTile = ref Unsafe.Add(ref cRef, ((nint)(ic + ir) * n) + jc + jr);
                                if (rows == panelRows && columns == nr)
                                {
                                    RunTile(panelRows, ref aPanel, aInPlace, lda, ref bPanel, bStride, kc, ref cTile, n, addToC);
                                }
                                else
                                {
                                    // An edge tile: compute the whole padded tile into scratch, keep its valid part.
                                    ref T scratch = ref MemoryMarshal.GetArrayDataReference(buffers.Tile);
                                    RunTile(panelRows, ref aPanel, aInPlace, lda, ref bPanel, bStride, kc, ref scratch, nr, accumulate: false);
                                    for (int r = 0; r < rows; r++)
                                    {
                                        ref T from = ref Unsafe.Add(ref scratch, r * nr);
                                        ref T to = ref Unsafe.Add(ref cTile, (nint)r * n);
                                        for (int col = 0; col < columns; col++)
                                            Unsafe.Add(ref to, col) = addToC ? Unsafe.Add(ref to, col) + Unsafe.Add(ref from, col) : Unsafe.Add(ref from, col);
                                    }
                                }
                            }
                        }

                        if ((bias is not null || relu) && pc + kc == k) ApplyEpilogue(ref cRef, ic, mc, jc, nc);
                    }
                }
            }
        }

        /// <summary>Whether the micro-kernel reads plain B's full panels where they lie instead of packing them: when C
        /// has few rows, each packed value of B serves only rows/mr tiles, and packing costs as much as the arithmetic
        /// it feeds. A convolution's 32 × 288 × 1,568 product ran at 48% of the FMA peak with B packed, 80% in place;
        /// 64 × 576 × 1,960 at 75% and 89% (AVX-512, one thread; the AVX2 path gains 7–20%). A panel's row is mr·2W
        /// contiguous values, so the loads stay whole vectors, one row of B apart. Not when B's rows lie a multiple of
        /// 4 KiB apart: then every row of a panel falls in the same L1 set and the panel no longer stays in L1 (in
        /// place, 128 × 512 × 1,024 ran at 0.96× and 0.71× of packed, 256 × 256 × 1,024 at 0.85× and 0.72×).</summary>
        private bool ReadsBInPlace(int rows)
        {
            long rowBytes = (long)n * Unsafe.SizeOf<T>();
            return !transposeB && rows <= InPlaceRows && rowBytes % 4096 != 0;
        }

        /// <summary>Whether the micro-kernel reads plain A's full panels where they lie instead of packing them: the
        /// mirror of <see cref="ReadsBInPlace"/>. When C has few columns, each packed value of A serves only
        /// columns/nr tiles: a convolution's weight gradient, computed transposed (patch positions × channels, 576 ×
        /// 64 over 1,960 positions), packed all of its unfolded columns to use each value two to four times, and ran
        /// at 84 GFLOP/s packed, 154 in place (AVX-512, one thread; AVX2 77 and 96). A broadcast needs no
        /// contiguity, so a panel's rows are read a row of A apart; not when that is a multiple of 4 KiB, for the L1
        /// set conflicts that keep B packed there too.</summary>
        private bool ReadsAInPlace(int columns) =>
            !transposeA && columns <= InPlaceAColumns && (long)k * Unsafe.SizeOf<T>() % 4096 != 0;

        /// <summary>Where a block's last panel starts when it has fewer rows than its tile (full panels of
        /// <paramref name="mr"/> rows up to <paramref name="fullRows"/>, short ones after), or <paramref name="rows"/>
        /// when every panel is whole.</summary>
        private static int PartialLastPanel(int rows, int fullRows, int mr, int shortRows)
        {
            int start = rows > fullRows ? fullRows + ((rows - fullRows) / shortRows * shortRows) : rows / mr * mr;
            return start < rows ? start : rows;
        }

        /// <summary>One tile: the kernel's full-height tile, or its short one when <paramref name="rows"/> says so, from a
        /// packed A panel or, with <paramref name="aInPlace"/>, from plain A's rows <paramref name="aRow"/> apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RunTile(int rows, ref T aPanel, bool aInPlace, nint aRow, ref T bPanel, nint bStride, int kc, ref T cTile, nint ldc, bool accumulate)
        {
            if (aInPlace) RunTile<InPlacePanel>(rows, ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate);
            else RunTile<PackedPanel>(rows, ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RunTile<TPanel>(int rows, ref T aPanel, nint aRow, ref T bPanel, nint bStride, int kc, ref T cTile, nint ldc, bool accumulate)
            where TPanel : struct, IAPanel
        {
            bool full = rows == GemmKernels.TileRows(kernel);
            switch (kernel)
            {
                case GemmKernel.Vector512: GemmMicroKernels.Tile512<T, TPanel>(ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate); break;
                case GemmKernel.Vector256 when full: GemmMicroKernels.Tile256<T, TPanel>(ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate); break;
                case GemmKernel.Vector256: GemmMicroKernels.Tile256Short<T, TPanel>(ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate); break;
                default: GemmMicroKernels.Tile128<T, TPanel>(ref aPanel, aRow, ref bPanel, bStride, kc, ref cTile, ldc, accumulate); break;
            }
        }

        /// <summary>The epilogue over one finished block: C[i, j] += bias[j], then C[i, j] = max(C[i, j], 0) for ReLU.</summary>
        private void ApplyEpilogue(ref T cRef, int ic, int mc, int jc, int nc)
        {
            var biasSpan = bias is null ? default : new ReadOnlySpan<T>(bias, jc, nc);
            for (int i = ic; i < ic + mc; i++)
            {
                var row = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref cRef, ((nint)i * n) + jc), nc);
                if (bias is not null) TensorPrimitives.Add(row, biasSpan, row);
                if (relu) TensorPrimitives.Max(row, T.Zero, row);
            }
        }
    }

    /// <summary>The parallel job: part t computes its share of C's columns (or rows), cut at whole tiles.</summary>
    private sealed class GemmJob<T> : IParallelJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static GemmJob<T>? _forThisThread;

        private GemmProblem<T> _problem;
        private bool _splitColumns;
        private int _unit;

        /// <summary>One reusable job per calling thread, so that starting a parallel product allocates nothing.</summary>
        public static GemmJob<T> ForThisThread => _forThisThread ??= new GemmJob<T>();

        public void Set(GemmProblem<T> problem, bool splitColumns, int unit) => (_problem, _splitColumns, _unit) = (problem, splitColumns, unit);

        /// <summary>Drops the references to the operands so that the cached job keeps no tensor alive.</summary>
        public void Clear() => _problem = default;

        public void Run(int part, int parts)
        {
            int extent = _splitColumns ? _problem.N : _problem.M;
            int units = (extent + _unit - 1) / _unit;
            int start = Math.Min(extent, (int)((long)units * part / parts) * _unit);
            int end = Math.Min(extent, (int)((long)units * (part + 1) / parts) * _unit);
            if (start >= end) return;
            if (_splitColumns) _problem.RunBlocked(0, _problem.M, start, end);
            else _problem.RunBlocked(start, end, 0, _problem.N);
        }
    }

    /// <summary>Per-thread packing buffers, grown on demand and then reused by every product on that thread.</summary>
    private sealed class PackingBuffers<T>
        where T : unmanaged
    {
        [ThreadStatic] private static PackingBuffers<T>? _forThisThread;

        public T[] A { get; private set; } = [];

        public T[] B { get; private set; } = [];

        public T[] Tile { get; private set; } = [];

        public static PackingBuffers<T> ForThisThread(int aLength, int bLength, int tileLength)
        {
            var buffers = _forThisThread ??= new PackingBuffers<T>();
            if (buffers.A.Length < aLength) buffers.A = GC.AllocateUninitializedArray<T>(aLength);
            if (buffers.B.Length < bLength) buffers.B = GC.AllocateUninitializedArray<T>(bLength);
            if (buffers.Tile.Length < tileLength) buffers.Tile = new T[tileLength];
            return buffers;
        }
    }
}
