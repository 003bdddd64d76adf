using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = a ⊙ b (elementwise), broadcast.</summary>
internal sealed class MultiplyFunction(Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Multiply";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<MultiplyOperator>(a, b, "multiply");
        return Needed(a, b) ? Record(y, new MultiplyFunction(a, b)) : y;
    }

    // ∂y/∂a = b, ∂y/∂b = a
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        return
        [
            a.RequiresGrad ? Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, b, "multiply"), a.Shape) : null,
            b.RequiresGrad ? Broadcasting.SumToShape(Tensor.RawBinary<MultiplyOperator>(g, a, "multiply"), b.Shape) : null,
        ];
    }
}
