using System.Numerics;
using Nabla.Tensors;

namespace Nabla.Kernels;

/// <summary>Applies a binary operator under NumPy broadcasting: d[i] = op(x[bx(i)], y[by(i)]), where bx and by map an
/// output index to an input index by giving every broadcast dimension a stride of 0.</summary>
internal static class BroadcastKernel
{
    public static void Apply<TOp, T>(ReadOnlySpan<T> x, Shape xShape, ReadOnlySpan<T> y, Shape yShape, Span<T> destination, Shape outShape)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The three shapes that cover almost all traffic: same shape, scalar on either side.
        if (xShape == yShape)
        {
            TOp.Apply(x, y, destination);
            return;
        }

        if (yShape.Count == 1)
        {
            TOp.Apply(x, y[0], destination);
            return;
        }

        if (xShape.Count == 1)
        {
            TOp.Apply(x[0], y, destination);
            return;
        }

        int rank = outShape.Rank;
        var xStrides = BroadcastStrides(xShape, outShape);
        var yStrides = BroadcastStrides(yShape, outShape);
        var dims = outShape.Dims;
        int inner = dims[rank - 1];
        int outer = outShape.Count / Math.Max(inner, 1);
        if (inner == 0) return;
        int xInner = xStrides[rank - 1], yInner = yStrides[rank - 1];

        // An odometer over the outer dimensions keeps both input offsets without a division per element.
        var counter = new int[rank];
        int xOffset = 0, yOffset = 0;
        for (int o = 0; o < outer; o++)
        {
            var d = destination.Slice(o * inner, inner);
            if (xInner == 1 && yInner == 1) TOp.Apply(x.Slice(xOffset, inner), y.Slice(yOffset, inner), d);
            else if (xInner == 1) TOp.Apply(x.Slice(xOffset, inner), y[yOffset], d);
            else if (yInner == 1) TOp.Apply(x[xOffset], y.Slice(yOffset, inner), d);
            else d.Fill(TOp.Apply(x[xOffset], y[yOffset]));

            for (int axis = rank - 2; axis >= 0; axis--)
            {
                counter[axis]++;
                xOffset += xStrides[axis];
                yOffset += yStrides[axis];
                if (counter[axis] < dims[axis]) break;
                xOffset -= xStrides[axis] * dims[axis];
                yOffset -= yStrides[axis] * dims[axis];
                counter[axis] = 0;
            }
        }
    }

    /// <summary>Strides of <paramref name="input"/> seen through <paramref name="output"/>'s dimensions: 0 where the
    /// input is broadcast (missing or of size 1).</summary>
    public static int[] BroadcastStrides(Shape input, Shape output)
    {
        int rank = output.Rank, offset = rank - input.Rank;
        var own = input.Strides();
        var strides = new int[rank];
        for (int i = 0; i < input.Rank; i++)
            strides[i + offset] = input.Dims[i] == 1 && output.Dims[i + offset] != 1 ? 0 : own[i];
        return strides;
    }
}
