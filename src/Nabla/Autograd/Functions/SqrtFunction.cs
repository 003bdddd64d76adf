using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = √x.</summary>
internal sealed class SqrtFunction(Tensor x, Tensor y) : Function(x)
{
    public override string Name => "Sqrt";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<SqrtOperator>(x);
        return Needed(x) ? Record(y, new SqrtFunction(x, y.Detach())) : y;
    }

    // ∂y/∂x = 1/(2√x) = 1/(2y)
    public override Tensor?[] Backward(Tensor g) =>
        [Tensor.RawBinary<DivideOperator>(g, Tensor.RawBinary<MultiplyOperator>(y, Tensor.Scalar(2, y.DType), "multiply"), "divide")];
}
