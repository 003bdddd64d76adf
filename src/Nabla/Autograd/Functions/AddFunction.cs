using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = a + b, broadcast.</summary>
internal sealed class AddFunction(Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Add";

    public static Tensor Apply(Tensor a, Tensor b)
    {
        var y = Tensor.RawBinary<AddOperator>(a, b, "add");
        return Needed(a, b) ? Record(y, new AddFunction(a, b)) : y;
    }

    // ∂y/∂a = 1, ∂y/∂b = 1 (then summed over broadcast axes)
    public override Tensor?[] Backward(Tensor g) =>
        [Broadcasting.SumToShape(g, Inputs[0].Shape), Broadcasting.SumToShape(g, Inputs[1].Shape)];
}
