namespace Nabla.Kernels;

/// <summary>Copies that move elements between layouts: permutation of axes, a slab of one axis and its inverse, rows
/// gathered and their gradient scattered back.</summary>
internal static class LayoutKernels
{
    /// <summary>d = x with its axes reordered: output axis i is input axis perm[i]; x has dimensions
    /// <paramref name="xDims"/>, row-major.</summary>
    public static void Permute<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm, Span<T> destination)
    {
        int rank = xDims.Length;
        if (rank == 2 && perm[0] == 1)
        {
            Transpose2D(x, xDims[0], xDims[1], destination);
            return;
        }

        var xStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= xDims[i], i--) xStrides[i] = s;
        var outDims = new int[rank];
        var strides = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            outDims[i] = xDims[perm[i]];
            strides[i] = xStrides[perm[i]];
        }

        var counter = new int[rank];
        int offset = 0;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = x[offset];
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                counter[axis]++;
                offset += strides[axis];
                if (counter[axis] < outDims[axis]) break;
                offset -= strides[axis] * outDims[axis];
                counter[axis] = 0;
            }
        }
    }

    /// <summary>d (cols, rows) = xᵀ for x (rows, cols), in tiles so that both sides stay in cache.</summary>
    public static void Transpose2D<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> destination)
    {
        const int Tile = 32;
        for (int i0 = 0; i0 < rows; i0 += Tile)
        {
            int i1 = Math.Min(i0 + Tile, rows);
            for (int j0 = 0; j0 < cols; j0 += Tile)
            {
                int j1 = Math.Min(j0 + Tile, cols);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++) destination[(j * rows) + i] = x[(i * cols) + j];
                }
            }
        }
    }

    /// <summary>Copies x viewed as (outer, n, inner) rows [start, start + length) of its middle axis into
    /// d (outer, length, inner).</summary>
    public static void Narrow<T>(ReadOnlySpan<T> x, int outer, int n, int inner, int start, int length, Span<T> destination)
    {
        int block = length * inner;
        for (int o = 0; o < outer; o++)
            x.Slice(((o * n) + start) * inner, block).CopyTo(destination.Slice(o * block, block));
    }

    /// <summary>The inverse of <see cref="Narrow{T}"/>: writes x (outer, length, inner) into rows [start, start + length)
    /// of d (outer, n, inner), leaving the other rows as they are.</summary>
    public static void Place<T>(ReadOnlySpan<T> x, int outer, int n, int inner, int start, int length, Span<T> destination)
    {
        int block = length * inner;
        for (int o = 0; o < outer; o++)
            x.Slice(o * block, block).CopyTo(destination.Slice(((o * n) + start) * inner, block));
    }

    /// <summary>destination row i = source row rows[i], rows <paramref name="rowSize"/> long: a batch's rows picked from
    /// a dataset, or an embedding's lookup.</summary>
    public static void GatherRows<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, int rowSize, Span<T> destination)
    {
        for (int i = 0; i < rows.Length; i++) source.Slice(rows[i] * rowSize, rowSize).CopyTo(destination.Slice(i * rowSize, rowSize));
    }

    /// <summary>The adjoint of <see cref="GatherRows{T}"/>: destination row rows[i] += source row i, for every i in order,
    /// so a row picked twice gets both.</summary>
    public static void ScatterAddRows<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, int rowSize, Span<T> destination)
        where T : System.Numerics.INumber<T>
    {
        for (int i = 0; i < rows.Length; i++)
        {
            var row = destination.Slice(rows[i] * rowSize, rowSize);
            var from = source.Slice(i * rowSize, rowSize);
            for (int d = 0; d < rowSize; d++) row[d] += from[d];
        }
    }

    /// <summary>destination[i] = source[i, columns[i]] for each row i of source (rows × <paramref name="width"/>): one
    /// entry per row, such as the score of each example's true class.</summary>
    public static void PickPerRow<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> columns, int width, Span<T> destination)
    {
        for (int i = 0; i < columns.Length; i++) destination[i] = source[(i * width) + columns[i]];
    }

    /// <summary>The adjoint of <see cref="PickPerRow{T}"/>: destination (rows × <paramref name="width"/>) is zero but
    /// for destination[i, columns[i]] = source[i].</summary>
    public static void PlacePerRow<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> columns, int width, Span<T> destination)
    {
        destination[..(columns.Length * width)].Clear();
        for (int i = 0; i < columns.Length; i++) destination[(i * width) + columns[i]] = source[i];
    }
}
