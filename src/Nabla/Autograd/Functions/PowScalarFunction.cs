using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = x^p for a constant exponent p.</summary>
internal sealed class PowScalarFunction(Tensor x, double p) : Function(x)
{
    public override string Name => "PowScalar";

    public static Tensor Apply(Tensor x, double p)
    {
        var y = Tensor.RawUnary<PowOperator>(x, p);
        return Needed(x) ? Record(y, new PowScalarFunction(x, p)) : y;
    }

    // ∂y/∂x = p·x^(p−1)
    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        var derivative = p == 2
            ? Tensor.RawBinary<MultiplyOperator>(x, Tensor.Scalar(2, x.DType), "multiply")
            : Tensor.RawBinary<MultiplyOperator>(Tensor.RawUnary<PowOperator>(x, p - 1), Tensor.Scalar(p, x.DType), "multiply");
        return [Tensor.RawBinary<MultiplyOperator>(g, derivative, "multiply")];
    }
}
