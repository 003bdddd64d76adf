using Nabla.Kernels;

namespace Nabla.Backends;

// The tensor-level kernels: elementwise operators, reductions, layout and matrix products, which the raw operations
// of Tensor launch.
internal abstract partial class BackendOps
{
    /// <summary>y = TOp(x, alpha), element by element, on elements [start, start + count).</summary>
    public abstract void Unary<TOp>(BackendStorage x, double alpha, BackendStorage y, int start, int count)
        where TOp : IUnaryOperator;

    /// <summary>d = TOp(x, y) with x and y broadcast NumPy-style to d's dimensions.</summary>
    public abstract void Binary<TOp>(BackendStorage x, ReadOnlySpan<int> xDims, BackendStorage y, ReadOnlySpan<int> yDims, BackendStorage d, ReadOnlySpan<int> dDims)
        where TOp : IBinaryOperator<TOp>;

    /// <summary>d = TOp(x, y) on elements [start, start + count) of d, where x and y each have d's length or are one
    /// element (a scalar): the shapes <see cref="Binary{TOp}"/> treats elementwise.</summary>
    public abstract void BinaryElementwise<TOp>(BackendStorage x, BackendStorage y, BackendStorage d, int start, int count)
        where TOp : IBinaryOperator<TOp>;

    /// <summary>sum ← sum + g, element by element on [start, start + count) (a gradient accumulated into a leaf's).</summary>
    public abstract void AddInPlace(BackendStorage sum, BackendStorage g, int start, int count);

    /// <summary>x ← 0.</summary>
    public abstract void Clear(BackendStorage x);

    /// <summary>y (outer × inner) = Σ over the middle axis of x (outer × n × inner).</summary>
    public abstract void SumAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y);

    /// <summary>y (outer × inner) = the maximum over the middle axis of x (outer × n × inner).</summary>
    public abstract void MaxAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y);

    /// <summary>destination (outer × inner) = the index of the first maximum over the middle axis of x (outer × n × inner).</summary>
    public abstract void ArgMaxAxis(BackendStorage x, int outer, int n, int inner, Span<int> destination);

    /// <summary>y = x with its axes permuted: axis i of y is axis perm[i] of x, whose dimensions are xDims.</summary>
    public abstract void Permute(BackendStorage x, ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm, BackendStorage y);

    /// <summary>y (outer × length × inner) = x (outer × n × inner) at [start, start + length) of the middle axis.</summary>
    public abstract void Narrow(BackendStorage x, int outer, int n, int inner, int start, int length, BackendStorage y);

    /// <summary>The adjoint of <see cref="Narrow"/>: destination (outer × n × inner) at [start, start + length) of the
    /// middle axis = part (outer × length × inner); the rest of destination is left as it is.</summary>
    public abstract void Place(BackendStorage part, int outer, int n, int inner, int start, int length, BackendStorage destination);

    /// <summary>destination row i = source row rows[i], each <paramref name="rowSize"/> long (an embedding's lookup, a
    /// batch's rows).</summary>
    public abstract void GatherRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination);

    /// <summary>destination[i] = source[i, columns[i]] for each row of source (rows × width).</summary>
    public abstract void PickPerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination);

    /// <summary>destination (rows × width) = 0 but for destination[i, columns[i]] = source[i]: the adjoint of
    /// <see cref="PickPerRow"/>.</summary>
    public abstract void PlacePerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination);

    /// <summary>destination row rows[i] += source row i, for every i in order (an embedding's gradient).</summary>
    public abstract void ScatterAddRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination);

    /// <summary>C (m × n, from cOffset) = op(A)·op(B): A stored m × k (k × m when transposeA) from aOffset, B stored
    /// k × n (n × k when transposeB) from bOffset.</summary>
    public abstract void MatMul(BackendStorage a, int aOffset, bool transposeA, BackendStorage b, int bOffset, bool transposeB, BackendStorage c, int cOffset, int m, int k, int n);
}
