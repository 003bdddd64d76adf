using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = x if x &gt; 0 else α·x.</summary>
internal sealed class LeakyReluFunction(Tensor x, double slope) : Function(x)
{
    public override string Name => "LeakyRelu";

    public static Tensor Apply(Tensor x, double slope)
    {
        var y = Tensor.RawUnary<LeakyReluOperator>(x, slope);
        return Needed(x) ? Record(y, new LeakyReluFunction(x, slope)) : y;
    }

    // ∂y/∂x = 1 if x > 0 else α
    public override Tensor?[] Backward(Tensor g) =>
        [Tensor.RawBinary<MultiplyOperator>(g, Tensor.RawUnary<LeakyReluDerivativeOperator>(Inputs[0], slope), "leaky relu backward")];
}
