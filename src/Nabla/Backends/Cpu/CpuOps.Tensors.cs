using System.Numerics.Tensors;
using Nabla.Kernels;
using Nabla.Kernels.Gemm;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

// The tensor-level kernels on the CPU.
internal sealed partial class CpuOps
{
    /// <inheritdoc/>
    public override void Unary<TOp>(BackendStorage x, double alpha, BackendStorage y, int start, int count)
    {
        if (IsSingle(x)) TOp.Apply<float>(Of<float>(x).AsSpan(start, count), (float)alpha, Of<float>(y).AsSpan(start, count));
        else TOp.Apply<double>(Of<double>(x).AsSpan(start, count), alpha, Of<double>(y).AsSpan(start, count));
    }

    /// <inheritdoc/>
    public override void Binary<TOp>(BackendStorage x, ReadOnlySpan<int> xDims, BackendStorage y, ReadOnlySpan<int> yDims, BackendStorage d, ReadOnlySpan<int> dDims)
    {
        if (IsSingle(x)) BroadcastKernel.Apply<TOp, float>(Of<float>(x), xDims, Of<float>(y), yDims, Of<float>(d), dDims);
        else BroadcastKernel.Apply<TOp, double>(Of<double>(x), xDims, Of<double>(y), yDims, Of<double>(d), dDims);
    }

    /// <inheritdoc/>
    public override void BinaryElementwise<TOp>(BackendStorage x, BackendStorage y, BackendStorage d, int start, int count)
    {
        if (IsSingle(d)) Elementwise<TOp, float>(Of<float>(x), Of<float>(y), Of<float>(d), start, count);
        else Elementwise<TOp, double>(Of<double>(x), Of<double>(y), Of<double>(d), start, count);
    }

    // The same three cases, in the same order, as BroadcastKernel's fast paths: same length, scalar y, scalar x.
    private static void Elementwise<TOp, T>(T[] x, T[] y, T[] d, int start, int count)
        where TOp : IBinaryOperator<TOp>
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var destination = d.AsSpan(start, count);
        if (x.Length == d.Length && y.Length == d.Length) TOp.Apply(x.AsSpan(start, count), y.AsSpan(start, count), destination);
        else if (y.Length == 1) TOp.Apply(x.AsSpan(start, count), y[0], destination);
        else TOp.Apply(x[0], y.AsSpan(start, count), destination);
    }

    /// <inheritdoc/>
    public override void AddInPlace(BackendStorage sum, BackendStorage g, int start, int count)
    {
        if (IsSingle(sum))
        {
            var s = Of<float>(sum).AsSpan(start, count);
            TensorPrimitives.Add(s, Of<float>(g).AsSpan(start, count), s);
        }
        else
        {
            var s = Of<double>(sum).AsSpan(start, count);
            TensorPrimitives.Add(s, Of<double>(g).AsSpan(start, count), s);
        }
    }

    /// <inheritdoc/>
    public override void Clear(BackendStorage x)
    {
        if (IsSingle(x)) Array.Clear(Of<float>(x));
        else Array.Clear(Of<double>(x));
    }

    /// <inheritdoc/>
    public override void SumAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y)
    {
        if (IsSingle(x)) ReductionKernels.Sum<float>(Of<float>(x), outer, n, inner, Of<float>(y));
        else ReductionKernels.Sum<double>(Of<double>(x), outer, n, inner, Of<double>(y));
    }

    /// <inheritdoc/>
    public override void MaxAxis(BackendStorage x, int outer, int n, int inner, BackendStorage y)
    {
        if (IsSingle(x)) ReductionKernels.Max<float>(Of<float>(x), outer, n, inner, Of<float>(y));
        else ReductionKernels.Max<double>(Of<double>(x), outer, n, inner, Of<double>(y));
    }

    /// <inheritdoc/>
    public override void ArgMaxAxis(BackendStorage x, int outer, int n, int inner, Span<int> destination)
    {
        if (IsSingle(x)) ReductionKernels.ArgMax<float>(Of<float>(x), outer, n, inner, destination);
        else ReductionKernels.ArgMax<double>(Of<double>(x), outer, n, inner, destination);
    }

    /// <inheritdoc/>
    public override void Permute(BackendStorage x, ReadOnlySpan<int> xDims, ReadOnlySpan<int> perm, BackendStorage y)
    {
        if (IsSingle(x)) LayoutKernels.Permute<float>(Of<float>(x), xDims, perm, Of<float>(y));
        else LayoutKernels.Permute<double>(Of<double>(x), xDims, perm, Of<double>(y));
    }

    /// <inheritdoc/>
    public override void Narrow(BackendStorage x, int outer, int n, int inner, int start, int length, BackendStorage y)
    {
        if (IsSingle(x)) LayoutKernels.Narrow<float>(Of<float>(x), outer, n, inner, start, length, Of<float>(y));
        else LayoutKernels.Narrow<double>(Of<double>(x), outer, n, inner, start, length, Of<double>(y));
    }

    /// <inheritdoc/>
    public override void Place(BackendStorage part, int outer, int n, int inner, int start, int length, BackendStorage destination)
    {
        if (IsSingle(part)) LayoutKernels.Place<float>(Of<float>(part), outer, n, inner, start, length, Of<float>(destination));
        else LayoutKernels.Place<double>(Of<double>(part), outer, n, inner, start, length, Of<double>(destination));
    }

    /// <inheritdoc/>
    public override void PickPerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination)
    {
        if (IsSingle(source)) LayoutKernels.PickPerRow<float>(Of<float>(source), columns, width, Of<float>(destination));
        else LayoutKernels.PickPerRow<double>(Of<double>(source), columns, width, Of<double>(destination));
    }

    /// <inheritdoc/>
    public override void PlacePerRow(BackendStorage source, ReadOnlySpan<int> columns, int width, BackendStorage destination)
    {
        if (IsSingle(source)) LayoutKernels.PlacePerRow<float>(Of<float>(source), columns, width, Of<float>(destination));
        else LayoutKernels.PlacePerRow<double>(Of<double>(source), columns, width, Of<double>(destination));
    }

    /// <inheritdoc/>
    public override void GatherRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination)
    {
        if (IsSingle(source)) LayoutKernels.GatherRows<float>(Of<float>(source), rows, rowSize, Of<float>(destination));
        else LayoutKernels.GatherRows<double>(Of<double>(source), rows, rowSize, Of<double>(destination));
    }

    /// <inheritdoc/>
    public override void ScatterAddRows(BackendStorage source, ReadOnlySpan<int> rows, int rowSize, BackendStorage destination)
    {
        if (IsSingle(source)) LayoutKernels.ScatterAddRows<float>(Of<float>(source), rows, rowSize, Of<float>(destination));
        else LayoutKernels.ScatterAddRows<double>(Of<double>(source), rows, rowSize, Of<double>(destination));
    }

    /// <inheritdoc/>
    public override void MatMul(BackendStorage a, int aOffset, bool transposeA, BackendStorage b, int bOffset, bool transposeB, BackendStorage c, int cOffset, int m, int k, int n)
    {
        if (IsSingle(a)) Gemm.Multiply(Of<float>(a), aOffset, transposeA, Of<float>(b), bOffset, transposeB, Of<float>(c), cOffset, m, k, n);
        else Gemm.Multiply(Of<double>(a), aOffset, transposeA, Of<double>(b), bOffset, transposeB, Of<double>(c), cOffset, m, k, n);
    }
}
