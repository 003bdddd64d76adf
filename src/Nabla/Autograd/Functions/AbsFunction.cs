using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = |x|.</summary>
internal sealed class AbsFunction(Tensor x) : Function(x)
{
    public override string Name => "Abs";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<AbsOperator>(x);
        return Needed(x) ? Record(y, new AbsFunction(x)) : y;
    }

    // ∂y/∂x = sign(x) (0 at x = 0, the subgradient PyTorch also takes)
    public override Tensor?[] Backward(Tensor g) =>
        [Tensor.RawBinary<MultiplyOperator>(g, Tensor.RawUnary<SignOperator>(Inputs[0]), "multiply")];
}
