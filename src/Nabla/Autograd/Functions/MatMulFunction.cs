using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>C = A·B, or C = A·Bᵀ when <c>transposeB</c>, over the last two axes with batch axes broadcast.
/// Shapes: A (…, M, K), B (…, K, N) or (…, N, K) transposed, C (…, M, N).</summary>
internal sealed class MatMulFunction(Tensor a, Tensor b, bool transposeB) : Function(a, b)
{
    public override string Name => transposeB ? "MatMulTransposed" : "MatMul";

    public static Tensor Apply(Tensor a, Tensor b, bool transposeB)
    {
        var c = Tensor.RawMatMul(a, b, transposeA: false, transposeB);
        return Needed(a, b) ? Record(c, new MatMulFunction(a, b, transposeB)) : c;
    }

    // C = A·B:   ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G
    // C = A·Bᵀ:  ∂L/∂A = G·B,  ∂L/∂B = Gᵀ·A
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        Tensor? ga = null, gb = null;
        if (a.RequiresGrad)
        {
            ga = Tensor.RawMatMul(g, b, transposeA: false, transposeB: !transposeB);   // (…, M, K)
            ga = Broadcasting.SumToShape(ga, a.Shape);
        }

        if (b.RequiresGrad)
        {
            gb = transposeB
                ? Tensor.RawMatMul(g, a, transposeA: true, transposeB: false)   // (…, N, K)
                : Tensor.RawMatMul(a, g, transposeA: true, transposeB: false);  // (…, K, N)
            gb = Broadcasting.SumToShape(gb, b.Shape);
        }

        return [ga, gb];
    }
}
