using Nabla.Autograd.Functions;
using Nabla.Kernels;

namespace Nabla.Tensors;

// Reductions over any set of axes (null or empty: all axes). keepDims keeps each reduced axis as size 1, which
// makes the result broadcast against the input.
public sealed partial class Tensor
{
    /// <summary>Σ over the axes. The sum of an empty axis is 0.</summary>
    public Tensor Sum(int[]? axes = null, bool keepDims = false) => SumFunction.Apply(this, axes, keepDims);

    /// <summary>Σ over one axis.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => SumFunction.Apply(this, [axis], keepDims);

    /// <summary>The mean over the axes: Σ / n, where n is the number of elements reduced (NaN for an empty axis).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDims = false)
    {
        var normalized = NormalizeAxes(Shape, axes);
        int n = 1;
        foreach (int a in normalized) n *= Shape.Dims[a];
        return Sum(normalized, keepDims) / n;
    }

    /// <summary>The mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>max over the axes; at ties the gradient is shared evenly. An empty axis is an error.</summary>
    public Tensor Max(int[]? axes = null, bool keepDims = false) => MaxFunction.Apply(this, axes, keepDims);

    /// <summary>max over one axis.</summary>
    public Tensor Max(int axis, bool keepDims = false) => MaxFunction.Apply(this, [axis], keepDims);

    /// <summary>min over the axes, as −max(−x).</summary>
    public Tensor Min(int[]? axes = null, bool keepDims = false) => -(-this).Max(axes, keepDims);

    /// <summary>The index of the largest value along <paramref name="axis"/> (the first on ties), as integers.
    /// The result has the input's shape without that axis, flattened in row-major order.</summary>
    public int[] ArgMax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis);
        int outer = Shape.Product(0, a), n = Shape.Dims[a], inner = Shape.Product(a + 1, Rank);
        var result = new int[outer * inner];
        ArgMaxInto(a, result);
        return result;
    }

    /// <summary><see cref="ArgMax"/> into a caller's array of the result's size: without allocating, for every step.</summary>
    internal void ArgMaxInto(int axis, int[] result)
    {
        int a = Shape.NormalizeAxis(axis);
        int outer = Shape.Product(0, a), n = Shape.Dims[a], inner = Shape.Product(a + 1, Rank);
        Engine.KernelTape.ObserveRawAccess();   // host work on the values, done now: not a kernel a capture keeps
        Backends.Backend.Current.Ops.ArgMaxAxis(Storage, outer, n, inner, result.AsSpan(0, outer * inner));
    }

    /// <summary>log Σ exp over one axis, computed stably as m + log Σ exp(x − m) with m the (detached) maximum.</summary>
    public Tensor LogSumExp(int axis, bool keepDims = false)
    {
        var m = Max(axis, keepDims: true).Detach();                        // (…, 1, …)
        var result = (this - m).Exp().Sum(axis, keepDims: true).Log() + m;
        return keepDims ? result : result.Reshape(ReducedShape(Shape, [Shape.NormalizeAxis(axis)], keepDims: false));
    }
}
