using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Applies a binary operator under NumPy broadcasting: d[i] = op(x[bx(i)], y[by(i)]), where bx and by map an
/// output index to an input index by giving every broadcast dimension a stride of 0. Shapes are given as their
/// dimensions (the kernels know no <c>Shape</c>); the caller has checked that they broadcast to
/// the output's dimensions.</summary>
internal static class BroadcastKernel
{
    public static void Apply<TOp, T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xDims, ReadOnlySpan<T> y, ReadOnlySpan<int> yDims, Span<T> destination, ReadOnlySpan<int> outDims)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The three shapes that cover almost all traffic: same shape, scalar on either side.
        if (xDims.SequenceEqual(yDims))
        {
            TOp.Apply(x, y, destination);
            return;
        }

        if (Count(yDims) == 1)
        {
            TOp.Apply(x, y[0], destination);
            return;
        }

        if (Count(xDims) == 1)
        {
            TOp.Apply(x[0], y, destination);
            return;
        }

        int rank = outDims.Length;
        // On the stack: a replayed step runs this with no allocation (tensors have a handful of dimensions).
        Span<int> xStrides = stackalloc int[rank], yStrides = stackalloc int[rank], counter = stackalloc int[rank];
        BroadcastStrides(xDims, outDims, xStrides);
        BroadcastStrides(yDims, outDims, yStrides);
        var dims = outDims;
        int inner = dims[rank - 1];
        int outer = Count(outDims) / Math.Max(inner, 1);
        if (inner == 0) return;
        int xInner = xStrides[rank - 1], yInner = yStrides[rank - 1];

        // An odometer over the outer dimensions keeps both input offsets without a division per element.
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

    private static int Count(ReadOnlySpan<int> dims)
    {
        int count = 1;
        foreach (int d in dims) count *= d;
        return count;
    }

    /// <summary>Writes into <paramref name="strides"/> the strides of an input of dimensions <paramref name="input"/> seen through <paramref name="output"/>'s: 0
    /// where the input is broadcast (missing or of size 1).</summary>
    internal static void BroadcastStrides(ReadOnlySpan<int> input, ReadOnlySpan<int> output, Span<int> strides)
    {
        int rank = output.Length, offset = rank - input.Length;
        strides.Clear();
        int own = 1;   // the input's own row-major stride of axis i, built from the last axis
        for (int i = input.Length - 1; i >= 0; i--)
        {
            strides[i + offset] = input[i] == 1 && output[i + offset] != 1 ? 0 : own;
            own *= input[i];
        }
    }
}
