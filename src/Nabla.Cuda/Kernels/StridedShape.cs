namespace Nabla.Cuda.Kernels;

/// <summary>An output's dimensions and two operands' strides along them, up to <see cref="MaxRank"/> axes: a broadcast
/// (a stride of 0 along an axis an operand is broadcast over) or a permutation (x's strides in the output's order). A
/// kernel parameter must be a plain value, so the axes are fields rather than an array.</summary>
internal struct StridedShape
{
    /// <summary>The most axes a strided kernel takes (a batch of images with channels has four).</summary>
    public const int MaxRank = 6;

    public int Rank;
    private int _d0, _d1, _d2, _d3, _d4, _d5;
    private int _x0, _x1, _x2, _x3, _x4, _x5;
    private int _y0, _y1, _y2, _y3, _y4, _y5;

    /// <summary>The shape of d = op(x, y) for x, y and d of these dimensions (x and y right-aligned with d, NumPy's
    /// rule).</summary>
    /// <exception cref="NotSupportedException">d has more than <see cref="MaxRank"/> axes.</exception>
    public static StridedShape Broadcast(ReadOnlySpan<int> xDims, ReadOnlySpan<int> yDims, ReadOnlySpan<int> dDims)
    {
        if (dDims.Length > MaxRank) throw new NotSupportedException($"a broadcast of {dDims.Length} axes on the GPU: at most {MaxRank} are supported");
        var shape = new StridedShape { Rank = dDims.Length };
        Span<int> xStrides = stackalloc int[MaxRank], yStrides = stackalloc int[MaxRank];
        Nabla.Kernels.BroadcastKernel.BroadcastStrides(xDims, dDims, xStrides[..dDims.Length]);   // the CPU kernel's rule
        Nabla.Kernels.BroadcastKernel.BroadcastStrides(yDims, dDims, yStrides[..dDims.Length]);
        for (int axis = 0; axis < dDims.Length; axis++) shape.Set(axis, dDims[axis], xStrides[axis], yStrides[axis]);
        return shape;
    }

    /// <summary>The shape of y = x with its axes permuted (axis i of y is axis perm[i] of x): y's dimensions, and x's
    /// strides in y's order (the second operand's are unused).</summary>
    /// <exception cref="NotSupportedException">x has more than <see cref="MaxRank"/> axes.</exception>
    public static StridedShape Permutation(ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm)
    {
        if (xDims.Length > MaxRank) throw new NotSupportedException($"a permutation of {xDims.Length} axes on the GPU: at most {MaxRank} are supported");
        var shape = new StridedShape { Rank = xDims.Length };
        Span<int> strides = stackalloc int[MaxRank];
        for (int i = xDims.Length - 1, stride = 1; i >= 0; stride *= xDims[i], i--) strides[i] = stride;
        for (int axis = 0; axis < xDims.Length; axis++) shape.Set(axis, xDims[perm[axis]], strides[perm[axis]], 0);
        return shape;
    }

    /// <summary>The size of d along <paramref name="axis"/>.</summary>
    public readonly int Dimension(int axis) => axis switch { 0 => _d0, 1 => _d1, 2 => _d2, 3 => _d3, 4 => _d4, _ => _d5 };

    /// <summary>x's stride along <paramref name="axis"/> of d.</summary>
    public readonly int XStride(int axis) => axis switch { 0 => _x0, 1 => _x1, 2 => _x2, 3 => _x3, 4 => _x4, _ => _x5 };

    /// <summary>y's stride along <paramref name="axis"/> of d.</summary>
    public readonly int YStride(int axis) => axis switch { 0 => _y0, 1 => _y1, 2 => _y2, 3 => _y3, 4 => _y4, _ => _y5 };

    private void Set(int axis, int size, int xStride, int yStride)
    {
        switch (axis)
        {
            case 0: (_d0, _x0, _y0) = (size, xStride, yStride); break;
            case 1: (_d1, _x1, _y1) = (size, xStride, yStride); break;
            case 2: (_d2, _x2, _y2) = (size, xStride, yStride); break;
            case 3: (_d3, _x3, _y3) = (size, xStride, yStride); break;
            case 4: (_d4, _x4, _y4) = (size, xStride, yStride); break;
            default: (_d5, _x5, _y5) = (size, xStride, yStride); break;
        }
    }
}
