using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = a − b, broadcast.</summary>
internal sealed class SubtractFunction(Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Subtract";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<SubtractOperator>(a, b, "subtract");
        return Needed(a, b) ? Record(y, new SubtractFunction(a, b)) : y;
    }

    // ∂y/∂a = 1, ∂y/∂b = −1
    public override Tensor?[] Backward(Tensor g) =>
        [Broadcasting.SumToShape(g, Inputs[0].Shape), Broadcasting.SumToShape(Tensor.RawUnary<NegateOperator>(g), Inputs[1].Shape)];
}
