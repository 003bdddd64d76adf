namespace Nabla.Cuda.Kernels;

/// <summary>The arguments of one column-major BLAS GEMM (cuBLAS's <c>gemm</c>: C ← α·op(A)·op(B) + β·C) that computes a
/// row-major <see cref="MatMulShape"/> product, with no copy of either operand.</summary>
/// <remarks>
/// A row-major matrix X (r × c, row stride c) read column-major is Xᵀ (c × r, leading dimension c). So the row-major
/// C = op(A)·op(B) (m × n) is, column-major, Cᵀ = op(B)ᵀ·op(A)ᵀ (n × m, ldc = n), and:
/// <list type="bullet">
/// <item>B stored k × n: read column-major it is Bᵀ = op(B)ᵀ (n × k, ld n): no transpose. B stored n × k (transposed):
/// read column-major it is op(B) (k × n, ld k): transpose.</item>
/// <item>A stored m × k: read column-major it is op(A)ᵀ (k × m, ld k): no transpose. A stored k × m: it is op(A)
/// (m × k, ld m): transpose.</item>
/// </list>
/// Hence gemm(opB, opA, M = n, N = m, K = k, B, ldb, A, lda, β, C, n), β = 1 when the product accumulates into C.
/// </remarks>
internal readonly record struct BlasProduct(
    bool TransposeFirst, bool TransposeSecond, int M, int N, int K,
    int FirstOffset, int FirstLeading, int SecondOffset, int SecondLeading,
    int ResultOffset, int ResultLeading, double Beta)
{
    /// <summary>The GEMM that computes <paramref name="s"/>'s product (its bias and ReLU are applied after).</summary>
    public static BlasProduct Of(MatMulShape s)
    {
        bool transposeA = s.TransposeA != 0, transposeB = s.TransposeB != 0;
        return new(
            TransposeFirst: transposeB,
            TransposeSecond: transposeA,
            M: s.N,
            N: s.M,
            K: s.K,
            FirstOffset: s.BOffset,
            FirstLeading: Math.Max(1, transposeB ? s.K : s.N),
            SecondOffset: s.AOffset,
            SecondLeading: Math.Max(1, transposeA ? s.M : s.K),
            ResultOffset: s.COffset,
            ResultLeading: Math.Max(1, s.N),
            Beta: s.Accumulate != 0 ? 1 : 0);
    }
}
