using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = max(0, x).</summary>
internal sealed class ReluFunction(Tensor x, Tensor y) : Function(x)
{
    public override string Name => "Relu";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<ReluOperator>(x);
        return Needed(x) ? Record(y, new ReluFunction(x, y.Detach())) : y;
    }

    // ∂y/∂x = [x > 0] = [y > 0] (0 at the kink)
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<ReluBackwardOperator>(y, g, "relu backward")];
}
