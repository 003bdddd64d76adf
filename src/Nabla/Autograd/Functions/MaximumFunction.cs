using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = max(a, b) elementwise, broadcast.</summary>
internal sealed class MaximumFunction(Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Maximum";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<MaximumOperator>(a, b, "maximum");
        return Needed(a, b) ? Record(y, new MaximumFunction(a, b)) : y;
    }

    // ∂y/∂a = [a ≥ b], ∂y/∂b = [a < b] (ties go to a)
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        var toA = Tensor.RawBinary<GreaterOrEqualOperator>(a, b, "maximum");
        var toB = Tensor.RawBinary<LessOperator>(a, b, "maximum");
        return
        [
            Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, toA, "multiply"), a.Shape),
            Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, toB, "multiply"), b.Shape),
        ];
    }
}
