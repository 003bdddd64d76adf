using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nabla.Kernels.Convolution;

/// <summary>Unfolding an image into patch columns (im2col) and folding columns back (col2im), so that a convolution
/// becomes one matrix product: y (O × L) = W (O × C·KH·KW) · cols (C·KH·KW × L), L = OH·OW output positions.</summary>
/// <remarks>
/// cols[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], or 0 in the padding.
/// Col2Im is its adjoint: every column entry is added back to the input position it was read from, which is exactly
/// the gradient of im2col (overlapping windows add up).
/// </remarks>
internal static class Im2Col
{
    /// <summary>Unfolds one image (C × H × W) into <paramref name="columns"/> (C·KH·KW × OH·OW), whose rows lie
    /// <paramref name="rowStride"/> apart (OH·OW by default; more when several images sit side by side).</summary>
    public static void Unfold<T>(ReadOnlySpan<T> image, in Conv2dGeometry g, Span<T> columns, int rowStride = 0)
        where T : unmanaged, INumber<T>
    {
        // Locals, not the geometry's properties: the loops write through refs, which would make the JIT reload them.
        int oh = g.OutputHeight, ow = g.OutputWidth, height = g.Height, width = g.Width, planeSize = height * width;
        int strideH = g.StrideHeight, strideW = g.StrideWidth;
        if (rowStride == 0) rowStride = oh * ow;
        if (image.Length < g.ImageSize || columns.Length < ((g.PatchSize - 1) * rowStride) + (oh * ow))
            throw new ArgumentException("im2col: buffers too small for the geometry");
        ref T source = ref MemoryMarshal.GetReference(image);
        ref T target = ref MemoryMarshal.GetReference(columns);
        bool shifts = IsShift(g);
        int row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    var span = new WindowSpan(g, kh, kw);
                    ref T destination = ref Unsafe.Add(ref target, row * rowStride);
                    if (shifts)
                    {
                        UnfoldShifted(ref Unsafe.Add(ref source, c * planeSize), span, oh, ow, height, MemoryMarshal.CreateSpan(ref destination, oh * ow));
                        continue;
                    }

                    for (int y = 0; y < oh; y++)
                    {
                        ref T outRow = ref Unsafe.Add(ref destination, y * ow);
                        int iy = (y * strideH) + span.RowOffset;
                        if ((uint)iy >= (uint)height)
                        {
                            for (int x = 0; x < ow; x++) Unsafe.Add(ref outRow, x) = T.Zero;
                            continue;
                        }

                        // Inside the image the row is a strided run of the input row; outside it, padding.
                        ref T inRow = ref Unsafe.Add(ref source, (c * planeSize) + (iy * width));
                        int x0 = 0, first = span.FirstColumn, end = span.EndColumn;
                        for (; x0 < first; x0++) Unsafe.Add(ref outRow, x0) = T.Zero;
                        if (strideW == 1)
                        {
                            // A contiguous run: one block copy.
                            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref inRow, x0 + span.ColumnOffset), end - x0)
                                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref outRow, x0), end - x0));
                            x0 = end;
                        }

                        for (int ix = (x0 * strideW) + span.ColumnOffset; x0 < end; x0++, ix += strideW)
                            Unsafe.Add(ref outRow, x0) = Unsafe.Add(ref inRow, ix);
                        for (; x0 < ow; x0++) Unsafe.Add(ref outRow, x0) = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>Folds <paramref name="columns"/> (C·KH·KW × OH·OW, rows <paramref name="rowStride"/> apart) back into one
    /// image (C × H × W), adding to it. The entries that read the padding feed no input position; on the shifted path
    /// (see <see cref="IsShift"/>) they are cleared in <paramref name="columns"/> on the way, so that each kernel tap
    /// adds one contiguous block.</summary>
    public static void FoldAdd<T>(Span<T> columns, in Conv2dGeometry g, Span<T> image, int rowStride = 0)
        where T : unmanaged, INumber<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, height = g.Height, width = g.Width, planeSize = height * width;
        int strideH = g.StrideHeight, strideW = g.StrideWidth;
        if (rowStride == 0) rowStride = oh * ow;
        if (image.Length < g.ImageSize || columns.Length < ((g.PatchSize - 1) * rowStride) + (oh * ow))
            throw new ArgumentException("col2im: buffers too small for the geometry");
        ref T source = ref MemoryMarshal.GetReference(columns);
        ref T target = ref MemoryMarshal.GetReference(image);
        bool shifts = IsShift(g);
        int row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    var span = new WindowSpan(g, kh, kw);
                    ref T colRows = ref Unsafe.Add(ref source, row * rowStride);
                    if (shifts)
                    {
                        FoldAddShifted(MemoryMarshal.CreateSpan(ref colRows, oh * ow), span, oh, ow, height, ref Unsafe.Add(ref target, c * planeSize));
                        continue;
                    }

                    for (int y = 0; y < oh; y++)
                    {
                        int iy = (y * strideH) + span.RowOffset;
                        if ((uint)iy >= (uint)height) continue;
                        ref T colRow = ref Unsafe.Add(ref colRows, y * ow);
                        ref T inRow = ref Unsafe.Add(ref target, (c * planeSize) + (iy * width));
                        int first = span.FirstColumn, end = span.EndColumn, x = first;
                        if (strideW == 1 && Vector.IsHardwareAccelerated)
                        {
                            // A contiguous run: whole vectors first.
                            ref T into = ref Unsafe.Add(ref inRow, span.ColumnOffset);
                            for (; x + Vector<T>.Count <= end; x += Vector<T>.Count)
                                (Vector.LoadUnsafe(ref into, (nuint)x) + Vector.LoadUnsafe(ref colRow, (nuint)x)).StoreUnsafe(ref into, (nuint)x);
                        }

                        for (int ix = (x * strideW) + span.ColumnOffset; x < end; x++, ix += strideW)
                            Unsafe.Add(ref inRow, ix) += Unsafe.Add(ref colRow, x);
                    }
                }
            }
        }
    }

    /// <summary>Whether every kernel tap's columns are its input plane shifted as a whole: stride 1 and output rows as
    /// wide as the input's (padding (K − 1)/2, as in every convolution of W4 and W5). Then output position
    /// j = y·W + x reads input position j + RowOffset·W + ColumnOffset, so a tap's row of columns is one block copy
    /// per image, where the general path makes one per output row: for W5's 28-wide rows, thousands of 28-value
    /// copies per image, whose set-up cost a tenth of the training step.</summary>
    private static bool IsShift(in Conv2dGeometry g) => g.StrideHeight == 1 && g.StrideWidth == 1 && g.OutputWidth == g.Width;

    /// <summary>The output rows whose input row lies inside the plane: [Y0, Y1), from iy = y + RowOffset ∈ [0, H).</summary>
    private static (int Y0, int Y1) InsideRows(in WindowSpan span, int outputHeight, int height)
    {
        int y0 = Math.Clamp(-span.RowOffset, 0, outputHeight);
        return (y0, Math.Clamp(height - span.RowOffset, y0, outputHeight));
    }

    /// <summary>One tap's row of columns (OH × W) from one input plane, on the shifted path: the output rows inside
    /// the plane as one block copy, then the entries that read the padding cleared: whole rows above and below, and
    /// on each row the columns outside [FirstColumn, EndColumn), which the block copy filled from the neighbouring
    /// input row's far end.</summary>
    private static void UnfoldShifted<T>(ref T plane, in WindowSpan span, int outputHeight, int width, int height, Span<T> columns)
        where T : unmanaged, INumber<T>
    {
        var (y0, y1) = InsideRows(span, outputHeight, height);
        int first = span.FirstColumn, end = span.EndColumn;
        if (y0 == y1 || first == end)
        {
            columns.Clear();
            return;
        }

        int from = (y0 * width) + first, to = ((y1 - 1) * width) + end;
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref plane, from + (span.RowOffset * width) + span.ColumnOffset), to - from)
            .CopyTo(columns[from..to]);
        columns[..(y0 * width)].Clear();
        columns[(y1 * width)..].Clear();
        ClearPaddingColumns(columns, y0, y1, width, first, end);
    }

    /// <summary>The adjoint of <see cref="UnfoldShifted{T}"/>: the padding's entries cleared in the columns, then the
    /// inside rows added to the plane as one block. Each input position receives at most one value per tap, so the
    /// sums run in the same order as on the general path.</summary>
    private static void FoldAddShifted<T>(Span<T> columns, in WindowSpan span, int outputHeight, int width, int height, ref T plane)
        where T : unmanaged, INumber<T>
    {
        var (y0, y1) = InsideRows(span, outputHeight, height);
        int first = span.FirstColumn, end = span.EndColumn;
        if (y0 == y1 || first == end) return;
        ClearPaddingColumns(columns, y0, y1, width, first, end);
        int from = (y0 * width) + first, to = ((y1 - 1) * width) + end;
        var into = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref plane, from + (span.RowOffset * width) + span.ColumnOffset), to - from);
        TensorPrimitives.Add(into, columns[from..to], into);
    }

    /// <summary>Clears columns [0, first) and [end, width) of rows [y0, y1) (rows <paramref name="width"/> apart): a
    /// value or two per row for a 3×3 kernel, so plain stores, not a call per run.</summary>
    private static void ClearPaddingColumns<T>(Span<T> columns, int y0, int y1, int width, int first, int end)
        where T : unmanaged, INumber<T>
    {
        if (first == 0 && end == width) return;
        if (y1 * width > columns.Length) throw new ArgumentException("im2col/col2im: columns too small for the rows");
        ref T row = ref Unsafe.Add(ref MemoryMarshal.GetReference(columns), y0 * width);
        for (int y = y0; y < y1; y++, row = ref Unsafe.Add(ref row, width))
        {
            for (int x = 0; x < first; x++) Unsafe.Add(ref row, x) = T.Zero;
            for (int x = end; x < width; x++) Unsafe.Add(ref row, x) = T.Zero;
        }
    }

    /// <summary>For one kernel tap (kh, kw): the input row of output row y is y·SH + RowOffset; output columns
    /// [FirstColumn, EndColumn) read inside the input row, at x·SW + ColumnOffset; the others read padding.</summary>
    private readonly struct WindowSpan
    {
        public WindowSpan(in Conv2dGeometry g, int kh, int kw)
        {
            RowOffset = (kh * g.DilationHeight) - g.PaddingHeight;
            ColumnOffset = (kw * g.DilationWidth) - g.PaddingWidth;
            // x·SW + ColumnOffset ≥ 0  ⇔  x ≥ ⌈−ColumnOffset / SW⌉;  x·SW + ColumnOffset < W  ⇔  x < ⌈(W − ColumnOffset) / SW⌉.
            FirstColumn = Math.Clamp(CeilDiv(-ColumnOffset, g.StrideWidth), 0, g.OutputWidth);
            EndColumn = Math.Clamp(CeilDiv(g.Width - ColumnOffset, g.StrideWidth), FirstColumn, g.OutputWidth);
        }

        public int RowOffset { get; }

        public int ColumnOffset { get; }

        public int FirstColumn { get; }

        public int EndColumn { get; }

        private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
    }
}
