using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Moves of elements without arithmetic (but the scatter's sums), one thread per element written: each
/// thread reads what lands in its element, so no two threads write one place.</summary>
internal static class LayoutKernels
{
    /// <summary>y = x with its axes permuted: y's element i is read at the dot product of its coordinates with x's
    /// strides in y's order.</summary>
    public static void Permute<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, StridedShape s)
        where T : unmanaged
    {
        int rest = i, at = 0;
        for (int axis = s.Rank - 1; axis >= 0; axis--)
        {
            int size = s.Dimension(axis);
            at += rest % size * s.XStride(axis);
            rest /= size;
        }

        y[i] = x[at];
    }

    /// <summary>y (outer × length × inner) = x (outer × n × inner) at [start, start + length) of the middle axis.</summary>
    public static void Narrow<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, int n, int inner, int start, int length)
        where T : unmanaged
    {
        int block = length * inner, o = i / block;
        y[i] = x[(((o * n) + start) * inner) + (i % block)];
    }

    /// <summary>destination (outer × n × inner) at [start, start + length) of the middle axis = part; one thread per
    /// element of part, the rest of destination untouched.</summary>
    public static void Place<T>(Index1D i, ArrayView<T> part, ArrayView<T> destination, int n, int inner, int start, int length)
        where T : unmanaged
    {
        int block = length * inner, o = i / block;
        destination[(((o * n) + start) * inner) + (i % block)] = part[i];
    }

    /// <summary>destination row r = source row rows[r].</summary>
    public static void GatherRows<T>(Index1D i, ArrayView<T> source, ArrayView<int> rows, ArrayView<T> destination, int rowSize)
        where T : unmanaged => destination[i] = source[(rows[i / rowSize] * rowSize) + (i % rowSize)];

    /// <summary>destination row rows[r] += source row r for r in order: one thread per column walks the rows, so a row
    /// named twice gets its sums in the CPU's order and no two threads add to one element.</summary>
    public static void ScatterAddRows<T>(Index1D column, ArrayView<T> source, ArrayView<int> rows, ArrayView<T> destination, int count, int rowSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < count; r++) destination[(rows[r] * rowSize) + column] += source[(r * rowSize) + column];
    }

    /// <summary>destination[r] = source[r, columns[r]].</summary>
    public static void PickPerRow<T>(Index1D r, ArrayView<T> source, ArrayView<int> columns, ArrayView<T> destination, int width)
        where T : unmanaged => destination[r] = source[(r * width) + columns[r]];

    /// <summary>destination (rows × width) = 0 but destination[r, columns[r]] = source[r].</summary>
    public static void PlacePerRow<T>(Index1D i, ArrayView<T> source, ArrayView<int> columns, ArrayView<T> destination, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = i / width;
        destination[i] = i % width == columns[r] ? source[r] : T.Zero;
    }
}
