using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = min(a, b) elementwise, broadcast.</summary>
internal sealed class MinimumFunction(Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Minimum";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<MinimumOperator>(a, b, "minimum");
        return Needed(a, b) ? Record(y, new MinimumFunction(a, b)) : y;
    }

    // ∂y/∂a = [a ≤ b], ∂y/∂b = [a > b] (ties go to a)
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        var toA = Tensor.RawBinary<LessOrEqualOperator>(a, b, "minimum");
        var toB = Tensor.RawBinary<GreaterOperator>(a, b, "minimum");
        return
        [
            Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, toA, "multiply"), a.Shape),
            Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, toB, "multiply"), b.Shape),
        ];
    }
}
