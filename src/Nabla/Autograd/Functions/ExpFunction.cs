using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = eˣ.</summary>
internal sealed class ExpFunction(Tensor x, Tensor y) : Function(x)
{
    public override string Name => "Exp";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<ExpOperator>(x);
        return Needed(x) ? Record(y, new ExpFunction(x, y.Detach())) : y;
    }

    // ∂y/∂x = eˣ = y (the saved output)
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<MultiplyOperator>(g, y, "multiply")];
}
