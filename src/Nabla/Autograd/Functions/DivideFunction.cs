using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = a / b (elementwise), broadcast.</summary>
internal sealed class DivideFunction(Tensor a, Tensor b, Tensor y) : Function(a, b)
{
    public override string Name => "Divide";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<DivideOperator>(a, b, "divide");
        return Needed(a, b) ? Record(y, new DivideFunction(a, b, y.Detach())) : y;
    }

    // ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        var gOverB = Tensor.RawBinary<DivideOperator>(g, b, "divide");
        return
        [
            a.RequiresGrad ? Broadcasting.SumToShape(gOverB, a.Shape) : null,
            b.RequiresGrad ? Broadcasting.SumToShape(Tensor.RawUnary<NegateOperator>(Tensor.RawBinary<MultiplyOperator>(gOverB, y, "multiply")), b.Shape) : null,
        ];
    }
}
