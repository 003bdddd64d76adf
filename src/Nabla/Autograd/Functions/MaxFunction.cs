using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = max x over the given axes (all when none), keeping them as size 1 or dropping them.</summary>
internal sealed class MaxFunction(Tensor x, int[] axes, Tensor maxKeepDims) : Function(x)
{
    public override string Name => "Max";

    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var normalized = Tensor.NormalizeAxes(x.Shape, axes);
        var yKeep = Tensor.RawMax(x, normalized, keepDims: true);
        var y = keepDims ? yKeep : yKeep.View(Tensor.ReducedShape(x.Shape, normalized, keepDims: false));
        return Needed(x) ? Record(y, new MaxFunction(x, normalized, yKeep.Detach())) : y;
    }

    // ∂y/∂xᵢ = [xᵢ = max] / (number of ties): the gradient is shared evenly among the maxima
    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        var isMax = Tensor.RawBinary<EqualOperator>(x, maxKeepDims, "max");
        var ties = Tensor.RawSum(isMax, axes, keepDims: true);
        var share = Tensor.RawBinary<DivideOperator>(g.View(maxKeepDims.Shape), ties, "max");
        return [Tensor.RawBinary<MultiplyOperator>(isMax, share, "max")];
    }
}
