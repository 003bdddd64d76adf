using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels;

namespace Nabla.Tensors;

// The raw operations: shape checks and the launch of the backend's kernel (which picks the element type), with no
// autograd.
// The autograd functions call these in their forward and backward passes.
public sealed partial class Tensor
{
    internal static Tensor RawUnary<TOp>(Tensor x, double alpha = 0)
        where TOp : IUnaryOperator
    {
        var y = Uninitialized(x.Shape, x.DType);
        var ops = Backend.Current.Ops;
        Kernel.LaunchElementwise([x], [y], typeof(TOp), y.Count, (start, count) => ops.Unary<TOp>(x.Storage, alpha, y.Storage, start, count));
        return y;
    }

    internal static Tensor RawBinary<TOp>(Tensor x, Tensor y, string opName)
        where TOp : IBinaryOperator<TOp>
    {
        CheckSameDType(x, y, opName);
        Shape shape;
        try
        {
            shape = Shape.Broadcast(x.Shape, y.Shape);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{opName}: shapes {x.Shape} and {y.Shape} cannot be broadcast together");
        }

        var d = Uninitialized(shape, x.DType);
        var ops = Backend.Current.Ops;
        if (x.Shape == y.Shape || x.Count == 1 || y.Count == 1)   // elementwise, with a scalar at most: a fusion pass may chain it
            Kernel.LaunchElementwise([x, y], [d], typeof(TOp), d.Count, (start, count) => ops.BinaryElementwise<TOp>(x.Storage, y.Storage, d.Storage, start, count));
        else
            Kernel.Launch([x, y], [d], () => ops.Binary<TOp>(x.Storage, x.Shape.Dims, y.Storage, y.Shape.Dims, d.Storage, d.Shape.Dims));
        return d;
    }

    /// <summary>Σ x² over the elements, read on the host now (gradient clipping's norm): not a kernel a capture keeps.</summary>
    internal double RawSumOfSquares()
    {
        KernelTape.ObserveRawAccess();
        return Backend.Current.Ops.SumOfSquares(Storage);
    }

    /// <summary>Σ x over the elements, read on the host now (the finiteness check of gradients).</summary>
    internal double RawSum()
    {
        KernelTape.ObserveRawAccess();
        return Backend.Current.Ops.Sum(Storage);
    }

    /// <summary>x ← x · <paramref name="factor"/>, in place on the host now.</summary>
    internal void RawScaleInPlace(double factor)
    {
        KernelTape.ObserveRawAccess();
        Backend.Current.Ops.Scale(Storage, factor);
    }

    /// <summary>x ← x clamped to [−<paramref name="limit"/>, <paramref name="limit"/>], in place on the host now.</summary>
    internal void RawClampInPlace(double limit)
    {
        KernelTape.ObserveRawAccess();
        Backend.Current.Ops.Clamp(Storage, limit);
    }

    internal static void CheckSameDType(Tensor x, Tensor y, string opName)
    {
        if (x.DType != y.DType)
            throw new ArgumentException($"{opName}: dtypes differ ({x.DType.Name()} {x.Shape} and {y.DType.Name()} {y.Shape})");
    }

    /// <summary>Normalises, de-duplicates and sorts axes; null means all axes.</summary>
    internal static int[] NormalizeAxes(Shape shape, int[]? axes)
    {
        if (axes is null || axes.Length == 0) return Enumerable.Range(0, shape.Rank).ToArray();
        return axes.Select(shape.NormalizeAxis).Distinct().Order().ToArray();
    }

    /// <summary>The shape after reducing <paramref name="axes"/>: each becomes 1 with keepDims, or disappears.</summary>
    internal static Shape ReducedShape(Shape shape, int[] axes, bool keepDims)
    {
        var dims = new List<int>();
        for (int i = 0; i < shape.Rank; i++)
        {
            if (!axes.Contains(i)) dims.Add(shape.Dims[i]);
            else if (keepDims) dims.Add(1);
        }

        return new Shape([.. dims]);
    }

    internal static Tensor RawSum(Tensor x, int[] axes, bool keepDims) => RawReduce(x, axes, keepDims, max: false);

    internal static Tensor RawMax(Tensor x, int[] axes, bool keepDims) => RawReduce(x, axes, keepDims, max: true);

    private static Tensor RawReduce(Tensor x, int[] axes, bool keepDims, bool max)
    {
        var current = x;
        foreach (int axis in axes)
        {
            var s = current.Shape;
            int outer = s.Product(0, axis), n = s.Dims[axis], inner = s.Product(axis + 1, s.Rank);
            if (max && n == 0) throw new ArgumentException($"max: axis {axis} of shape {x.Shape} is empty");
            var dims = s.ToArray();
            dims[axis] = 1;
            var (source, next) = (current, Uninitialized(new Shape(dims), x.DType));
            var ops = Backend.Current.Ops;
            Kernel.Launch([source], [next], () =>
            {
                if (max) ops.MaxAxis(source.Storage, outer, n, inner, next.Storage);
                else ops.SumAxis(source.Storage, outer, n, inner, next.Storage);
            });

            current = next;
        }

        if (ReferenceEquals(current, x)) current = x.Clone();
        return keepDims ? current : current.View(ReducedShape(x.Shape, axes, keepDims: false));
    }

    /// <summary>A tensor sharing this one's storage under another shape of the same element count.</summary>
    internal Tensor View(Shape shape)
    {
        if (shape.Count != Count) throw new ArgumentException($"cannot view shape {Shape} as shape {shape}");
        return new Tensor(Storage, shape);
    }

    /// <summary>A copy broadcast to <paramref name="shape"/>.</summary>
    internal Tensor RawExpand(Shape shape) =>
        Shape == shape ? Clone() : RawBinary<AddOperator>(this, Zeros(shape, DType), "expand");

    internal Tensor RawPermute(int[] perm)
    {
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = Shape.Dims[perm[i]];
        var y = Uninitialized(new Shape(dims), DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([this], [y], () => ops.Permute(Storage, Shape.Dims, perm, y.Storage));
        return y;
    }

    internal Tensor RawNarrow(int axis, int start, int length)
    {
        int outer = Shape.Product(0, axis), n = Shape.Dims[axis], inner = Shape.Product(axis + 1, Rank);
        var dims = Shape.ToArray();
        dims[axis] = length;
        var y = Uninitialized(new Shape(dims), DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([this], [y], () => ops.Narrow(Storage, outer, n, inner, start, length, y.Storage));
        return y;
    }

    /// <summary>Writes <paramref name="part"/> into rows [start, start + part's size) of <paramref name="axis"/> of this tensor, in place.</summary>
    internal void RawPlace(Tensor part, int axis, int start)
    {
        int outer = Shape.Product(0, axis), n = Shape.Dims[axis], inner = Shape.Product(axis + 1, Rank);
        int length = part.Shape.Dims[axis];
        var ops = Backend.Current.Ops;
        Kernel.Launch([part, this], [this], () => ops.Place(part.Storage, outer, n, inner, start, length, Storage));
    }

    /// <summary>op(A)·op(B) over the last two axes, with the leading (batch) axes broadcast; op(X) is X, or Xᵀ when
    /// its flag is set. Transposes are never materialised: the GEMM reads the stored layout directly.</summary>
    internal static Tensor RawMatMul(Tensor a, Tensor b, bool transposeA, bool transposeB)
    {
        CheckSameDType(a, b, "matmul");
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"matmul: both operands need at least 2 dimensions, got shapes {a.Shape} and {b.Shape}");
        int m = transposeA ? a.Shape[-1] : a.Shape[-2], k = transposeA ? a.Shape[-2] : a.Shape[-1];
        int kb = transposeB ? b.Shape[-1] : b.Shape[-2], n = transposeB ? b.Shape[-2] : b.Shape[-1];
        if (kb != k)
        {
            string aDescription = transposeA ? $"{a.Shape} (transposed)" : a.Shape.ToString();
            string bDescription = transposeB ? $"{b.Shape} (transposed)" : b.Shape.ToString();
            throw new ArgumentException($"matmul: shapes {aDescription} and {bDescription} are not aligned ({k} ≠ {kb})");
        }

        var aBatch = new Shape(a.Shape.Dims[..^2]);
        var bBatch = new Shape(b.Shape.Dims[..^2]);
        Shape batch;
        try
        {
            batch = Shape.Broadcast(aBatch, bBatch);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"matmul: batch dimensions of shapes {a.Shape} and {b.Shape} cannot be broadcast together");
        }

        // Only whole-batch broadcasting (a plain matrix against a batch) is supported; it is what layers need.
        if ((aBatch.Count != batch.Count && aBatch.Rank != 0) || (bBatch.Count != batch.Count && bBatch.Rank != 0))
            throw new ArgumentException($"matmul: batch dimensions of shapes {a.Shape} and {b.Shape} must be equal, or one operand a plain matrix");

        var c = Uninitialized(new Shape([.. batch.Dims, m, n]), a.DType);
        int batches = batch.Count;
        bool aBatched = aBatch.Rank != 0, bBatched = bBatch.Rank != 0;
        var ops = Backend.Current.Ops;
        Kernel.Launch([a, b], [c], () =>
        {
            for (int i = 0; i < batches; i++)
                ops.MatMul(a.Storage, aBatched ? i * m * k : 0, transposeA, b.Storage, bBatched ? i * k * n : 0, transposeB, c.Storage, i * m * n, m, k, n);
        });

        return c;
    }
}
