using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Nabla.Cuda.Kernels;

/// <summary>C = op(A)·op(B) (+ C when accumulating) (+ bias per column), then max(·, 0) when asked: the tiled matrix
/// product for accelerators without cuBLAS: today ILGPU's CPU accelerator with GPU-sized groups, in the tests (a CUDA GPU
/// uses cuBLAS; another vendor's GPU would take this kernel).</summary>
/// <remarks>Each group of <see cref="Tile"/> × <see cref="Tile"/> threads computes one tile of C. It walks along k a
/// tile at a time: every thread loads one element of A's and one of B's tile into shared memory, the group waits, and
/// each thread adds the tile's products for its element of C. Both operands are read through strides, so that a
/// transposed operand costs nothing: element (i, p) of op(A) is at aOffset + i·aRow + p·aColumn.</remarks>
internal static class MatMulKernel
{
    /// <summary>The tile's side: 256 threads a group.</summary>
    public const int Tile = 16;

    public static void Run<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, ArrayView<T> bias, MatMulShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tileA = SharedMemory.Allocate<T>(Tile * Tile);
        var tileB = SharedMemory.Allocate<T>(Tile * Tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = (Grid.IdxY * Tile) + ty, column = (Grid.IdxX * Tile) + tx;
        T sum = T.Zero;
        for (int start = 0; start < s.K; start += Tile)
        {
            int p = start + tx;   // this thread loads op(A)[row, p] and op(B)[start + ty, column]
            tileA[(ty * Tile) + tx] = row < s.M && p < s.K ? a[s.AOffset + (row * s.ARow) + (p * s.AColumn)] : T.Zero;
            int q = start + ty;
            tileB[(ty * Tile) + tx] = q < s.K && column < s.N ? b[s.BOffset + (q * s.BRow) + (column * s.BColumn)] : T.Zero;
            Group.Barrier();
            for (int k = 0; k < Tile; k++) sum += tileA[(ty * Tile) + k] * tileB[(k * Tile) + tx];
            Group.Barrier();
        }

        if (row >= s.M || column >= s.N) return;
        int at = s.COffset + (row * s.N) + column;
        if (s.Accumulate != 0) sum = c[at] + sum;
        if (s.HasBias != 0) sum += bias[column];
        if (s.Relu != 0) sum = T.Max(sum, T.Zero);
        c[at] = sum;
    }

    /// <summary>The same product with one thread per element of C and no shared memory: for ILGPU's CPU accelerator,
    /// which runs each group's threads as host threads meeting at every barrier, so that the tiled kernel's barriers cost
    /// it far more than they save. Each element adds its k products in order.</summary>
    public static void RunPerElement<T>(Index1D i, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, ArrayView<T> bias, MatMulShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int row = i / s.N, column = i % s.N;
        T sum = T.Zero;
        for (int p = 0; p < s.K; p++) sum += a[s.AOffset + (row * s.ARow) + (p * s.AColumn)] * b[s.BOffset + (p * s.BRow) + (column * s.BColumn)];
        int at = s.COffset + (row * s.N) + column;
        if (s.Accumulate != 0) sum = c[at] + sum;
        if (s.HasBias != 0) sum += bias[column];
        if (s.Relu != 0) sum = T.Max(sum, T.Zero);
        c[at] = sum;
    }

    /// <summary>The launch: one group per tile of C.</summary>
    public static KernelConfig Config(int m, int n) =>
        new(new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile), new Index2D(Tile, Tile));
}

/// <summary>The sizes, offsets and strides of a <see cref="MatMulKernel"/> launch (a kernel takes plain values).</summary>
internal struct MatMulShape
{
    public int M, K, N;
    public int AOffset, ARow, AColumn;
    public int BOffset, BRow, BColumn;
    public int COffset;
    public int TransposeA, TransposeB;   // how A and B are stored (the strides say it to the kernels; BLAS takes flags)
    public int Accumulate, HasBias, Relu;

    /// <summary>op(A) is m × k, stored m × k or, transposed, k × m; op(B) is k × n, stored k × n or n × k.</summary>
    public static MatMulShape Of(int aOffset, bool transposeA, int bOffset, bool transposeB, int cOffset, int m, int k, int n) => new()
    {
        M = m,
        K = k,
        N = n,
        AOffset = aOffset,
        ARow = transposeA ? 1 : k,
        AColumn = transposeA ? m : 1,
        BOffset = bOffset,
        BRow = transposeB ? 1 : n,
        BColumn = transposeB ? k : 1,
        COffset = cOffset,
        TransposeA = transposeA ? 1 : 0,
        TransposeB = transposeB ? 1 : 0,
    };
}

/// <summary>What a BLAS GEMM leaves to be done of a <see cref="MatMulShape"/> product: C[i, j] ← max(C[i, j] + bias[j],
/// 0), the bias when the shape has one, the ReLU when it asks for it (the tiled kernel's epilogue, as its own
/// launch).</summary>
internal static class ProductEpilogueKernel
{
    public static void Run<T>(Index1D i, ArrayView<T> c, ArrayView<T> bias, MatMulShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int at = s.COffset + i;
        T value = c[at];
        if (s.HasBias != 0) value += bias[i % s.N];
        if (s.Relu != 0) value = T.Max(value, T.Zero);
        c[at] = value;
    }
}
