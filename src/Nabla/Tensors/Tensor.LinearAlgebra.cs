using Nabla.Autograd.Functions;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>The matrix product over the last two axes: (…, M, K) · (…, K, N) → (…, M, N). Batch axes must be equal,
    /// or one operand a plain matrix that is applied to every batch entry.</summary>
    /// <exception cref="ArgumentException">The inner dimensions differ (the message names both shapes).</exception>
    public Tensor MatMul(Tensor other) => MatMulFunction.Apply(this, other, transposeB: false);

    /// <summary>this · otherᵀ: (…, M, K) · (…, N, K)ᵀ → (…, M, N), without the caller materialising the transpose.</summary>
    public Tensor MatMulTransposed(Tensor other) => MatMulFunction.Apply(this, other, transposeB: true);
}
