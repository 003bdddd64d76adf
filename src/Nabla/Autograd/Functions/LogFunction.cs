using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = ln x (NaN for x &lt; 0, −∞ at 0).</summary>
internal sealed class LogFunction(Tensor x) : Function(x)
{
    public override string Name => "Log";

    public static Tensor Apply(Tensor x)
    {
        var y = Tensor.RawUnary<LogOperator>(x);
        return Needed(x) ? Record(y, new LogFunction(x)) : y;
    }

    // ∂y/∂x = 1/x
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<DivideOperator>(g, Inputs[0], "divide")];
}
