using Nabla.Autograd.Functions;

namespace Nabla.Tensors;

// Shape changes: views that share storage (reshape) and copies that move elements (permute, slices, concat).
public sealed partial class Tensor
{
    /// <summary>The same elements under another shape; one dimension may be −1 and is then inferred.
    /// Shares storage with this tensor.</summary>
    public Tensor Reshape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        int infer = Array.IndexOf(dims, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                if (i != infer) known *= dims[i];
            }

            if (known == 0 || Count % known != 0)
                throw new ArgumentException($"reshape: cannot reshape shape {Shape} to ({string.Join(", ", dims)})");
            dims = (int[])dims.Clone();
            dims[infer] = Count / known;
        }

        return ReshapeFunction.Apply(this, new Shape(dims));
    }

    /// <summary>The same elements under another shape. Shares storage with this tensor.</summary>
    public Tensor Reshape(Shape shape) => ReshapeFunction.Apply(this, shape);

    /// <summary>Flattens all axes from <paramref name="startAxis"/> on into one: (B, …) → (B, ∏…) by default.</summary>
    public Tensor Flatten(int startAxis = 1)
    {
        int a = Rank == 0 ? 0 : Shape.NormalizeAxis(startAxis);
        return Reshape(new Shape([.. Shape.Dims[..a], Shape.Product(a, Rank)]));
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"unsqueeze: axis {axis} is out of range for shape {Shape}");
        var dims = Shape.Dims.ToList();
        dims.Insert(a, 1);
        return Reshape(new Shape([.. dims]));
    }

    /// <summary>Removes an axis of size 1.</summary>
    public Tensor Squeeze(int axis)
    {
        int a = Shape.NormalizeAxis(axis);
        if (Shape.Dims[a] != 1) throw new ArgumentException($"squeeze: axis {axis} of shape {Shape} has size {Shape.Dims[a]}, not 1");
        var dims = Shape.Dims.ToList();
        dims.RemoveAt(a);
        return Reshape(new Shape([.. dims]));
    }

    /// <summary>Reorders the axes: the result's axis i is this tensor's axis perm[i]. A copy.</summary>
    public Tensor Permute(params int[] perm) => PermuteFunction.Apply(this, perm);

    /// <summary>Swaps two axes. A copy.</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var perm = Enumerable.Range(0, Rank).ToArray();
        int a = Shape.NormalizeAxis(axis0), b = Shape.NormalizeAxis(axis1);
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The matrix transpose of a 2-D tensor (the last two axes of a batch).</summary>
    public Tensor T => Rank < 2 ? throw new InvalidOperationException($"transpose needs at least 2 dimensions, not shape {Shape}") : Transpose(-2, -1);

    /// <summary>Elements [start, start + length) along <paramref name="axis"/>. A copy.</summary>
    public Tensor Slice(int axis, int start, int length) => NarrowFunction.Apply(this, axis, start, length);

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, with that axis removed.</summary>
    public Tensor Select(int axis, int index)
    {
        int a = Shape.NormalizeAxis(axis);
        int i = index < 0 ? index + Shape.Dims[a] : index;
        return Slice(a, i, 1).Squeeze(a);
    }

    /// <summary>The rows at the given indices along axis 0, in that order (a copy; for mini-batches).</summary>
    public Tensor IndexRows(ReadOnlySpan<int> rows)
    {
        if (Rank == 0) throw new InvalidOperationException("IndexRows needs at least one dimension");
        var dims = Shape.ToArray();
        dims[0] = rows.Length;
        var y = Uninitialized(new Shape(dims), DType);
        IndexRowsInto(rows, y);
        return y;
    }

    /// <summary>Copies the given rows into <paramref name="destination"/>, whose first dimension is rows.Length and
    /// whose other dimensions match this tensor's: IndexRows without allocating.</summary>
    internal void IndexRowsInto(ReadOnlySpan<int> rows, Tensor destination)
    {
        if (Rank == 0) throw new InvalidOperationException("IndexRows needs at least one dimension");
        int rowSize = Shape.Product(1, Rank), n = Shape.Dims[0];
        if (destination.DType != DType || destination.Rank != Rank || destination.Shape[0] != rows.Length || destination.Count != rows.Length * rowSize)
            throw new ArgumentException($"IndexRows: {rows.Length} rows of shape {Shape} do not fit a destination of shape {destination.Shape}");
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} is out of range for shape {Shape}");
        }

        Engine.KernelTape.ObserveRawAccess();   // host work on the values, done now: not a kernel a capture keeps
        // On the device the rows lie on (a dataset moved to a GPU gathers its batches there).
        var ops = DeviceStorage.BackendOf(Device)?.Ops ?? Backends.Backend.Current.Ops;
        ops.GatherRows(Storage, rows, rowSize, destination.Storage);
    }

    /// <summary>Joins tensors along an axis; all other dimensions must be equal.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return ConcatFunction.Apply([.. tensors], axis);
    }

    /// <summary>x[i, index[i]] for each row i of a matrix (B, C) → (B): the score of each example's class.</summary>
    public Tensor GatherRows(ReadOnlySpan<int> index) => GatherRowsFunction.Apply(this, index);
}
