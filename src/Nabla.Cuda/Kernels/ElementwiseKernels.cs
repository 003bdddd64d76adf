using System.Numerics;
using ILGPU;
using Nabla.Kernels;

namespace Nabla.Cuda.Kernels;

/// <summary>Elementwise kernels, one GPU thread per element. The math is the core's own operators'
/// (<see cref="IUnaryOperator"/>, <see cref="IBinaryOperator{TSelf}"/>): each kernel calls an operator's scalar form,
/// so the CPU and the GPU compute every element by one definition.</summary>
internal static class ElementwiseKernels
{
    /// <summary>y[start + i] = TOp(x[start + i]; α).</summary>
    public static void Unary<TOp, T>(Index1D i, ArrayView<T> x, ArrayView<T> y, T alpha, int start)
        where TOp : IUnaryOperator
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int at = start + i;
        y[at] = TOp.Apply(x[at], alpha);
    }

    /// <summary>d[start + i] = TOp(x, y), where x and y each hold d's elements or a single one (a scalar, read at 0).</summary>
    public static void Binary<TOp, T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<T> d, int start)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int at = start + i;
        d[at] = TOp.Apply(x.Length == 1 ? x[0] : x[at], y.Length == 1 ? y[0] : y[at]);
    }

    /// <summary>d = TOp(x, y) with x and y broadcast NumPy-style to d's dimensions: element i of d is split into its
    /// coordinates, and each operand is read at the dot product of those with its strides (0 along a broadcast axis).</summary>
    public static void BinaryBroadcast<TOp, T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<T> d, StridedShape shape)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rest = i, xAt = 0, yAt = 0;
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
        {
            int size = shape.Dimension(axis), coordinate = rest % size;
            rest /= size;
            xAt += coordinate * shape.XStride(axis);
            yAt += coordinate * shape.YStride(axis);
        }

        d[i] = TOp.Apply(x[xAt], y[yAt]);
    }

    /// <summary>sum[start + i] ← sum[start + i] + g[start + i].</summary>
    public static void AddInPlace<T>(Index1D i, ArrayView<T> sum, ArrayView<T> g, int start)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int at = start + i;
        sum[at] += g[at];
    }

    /// <summary>x[i] ← x[i] · factor.</summary>
    public static void Scale<T>(Index1D i, ArrayView<T> x, T factor)
        where T : unmanaged, IFloatingPointIeee754<T> => x[i] *= factor;

    /// <summary>x[i] ← min(max(x[i], −limit), limit).</summary>
    public static void Clamp<T>(Index1D i, ArrayView<T> x, T limit)
        where T : unmanaged, IFloatingPointIeee754<T> => x[i] = T.Min(T.Max(x[i], -limit), limit);

    /// <summary>x[i] ← value.</summary>
    public static void Fill<T>(Index1D i, ArrayView<T> x, T value)
        where T : unmanaged, IFloatingPointIeee754<T> => x[i] = value;
}
