using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = −x.</summary>
internal sealed class NegateFunction(Tensor x) : Function(x)
{
    public override string Name => "Negate";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<NegateOperator>(x);
        return Needed(x) ? Record(y, new NegateFunction(x)) : y;
    }

    // ∂y/∂x = −1
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawUnary<NegateOperator>(g)];
}
