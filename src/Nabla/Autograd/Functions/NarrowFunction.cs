using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = x[…, start : start + length, …] along one axis (a copy).</summary>
internal sealed class NarrowFunction(Tensor x, int axis, int start) : Function(x)
{
    public override string Name => "Narrow";

    public static Tensor Apply(Tensor x, int axis, int start, int length)
    {
        int a = x.Shape.NormalizeAxis(axis);
        int n = x.Shape.Dims[a];
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + length}) is out of range for axis {axis} of shape {x.Shape}");
        var y = x.RawNarrow(a, start, length);
        return Needed(x) ? Record(y, new NarrowFunction(x, a, start)) : y;
    }

    // ∂L/∂x = ∂L/∂y in the sliced rows, 0 elsewhere
    public override Tensor?[] Backward(Tensor g)
    {
        var gx = Tensor.ZerosLike(Inputs[0]);
        gx.RawPlace(g, axis, start);
        return [gx];
    }
}
