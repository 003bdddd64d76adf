using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = σ(x) = 1 / (1 + e⁻ˣ).</summary>
internal sealed class SigmoidFunction(Tensor x, Tensor y) : Function(x)
{
    public override string Name => "Sigmoid";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<SigmoidOperator>(x);
        return Needed(x) ? Record(y, new SigmoidFunction(x, y.Detach())) : y;
    }

    // ∂y/∂x = σ(x)(1 − σ(x)) = y(1 − y)
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<SigmoidBackwardOperator>(y, g, "sigmoid backward")];
}
