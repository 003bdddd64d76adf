using Nabla.Backends;
using Nabla.Engine;
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
    public override Tensor?[] Backward(Tensor g) => Backward(g, owned: false);

    public override Tensor?[] Backward(Tensor g, bool owned) => [Mask(y, g, owned)];

    /// <summary>g ⊙ [y &gt; 0], the ReLU's backward from its output y: written over <paramref name="g"/> when the
    /// caller owns it (no tensor made, one pass less over memory), else into a new tensor. The bits are the same.</summary>
    internal static Tensor Mask(Tensor y, Tensor g, bool owned)
    {
        if (!owned || y.Shape != g.Shape || y.DType != g.DType) return Tensor.RawBinary<ReluBackwardOperator>(y, g, "relu backward");
        var ops = Backend.Current.Ops;
        Kernel.LaunchElementwise([y, g], [g], typeof(ReluBackwardOperator), g.Count, (start, count) => ops.MaskByPositive(y.Storage, g.Storage, start, count));
        return g;
    }
}
