using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = tanh x.</summary>
internal sealed class TanhFunction(Tensor x, Tensor y) : Function(x)
{
    public override string Name => "Tanh";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<TanhOperator>(x);
        return Needed(x) ? Record(y, new TanhFunction(x, y.Detach())) : y;
    }

    // ∂y/∂x = 1 − tanh²x = 1 − y²
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<TanhBackwardOperator>(y, g, "tanh backward")];
}
