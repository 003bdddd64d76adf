using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = Σ x over the given axes (all when none), keeping them as size 1 or dropping them.</summary>
internal sealed class SumFunction(Tensor x, int[] axes) : Function(x)
{
    public override string Name => "Sum";

    public static Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var normalized = Tensor.NormalizeAxes(x.Shape, axes);
        var y = Tensor.RawSum(x, normalized, keepDims);
        return Needed(x) ? Record(y, new SumFunction(x, normalized)) : y;
    }

    // ∂y/∂x = 1 for every summed element: the gradient is copied back along the reduced axes
    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        return [g.View(Tensor.ReducedShape(x.Shape, axes, keepDims: true)).RawExpand(x.Shape)];
    }
}
