using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y[i] = x[i, index[i]]: one entry per row, such as the score f_y of each example's true class.
/// Shapes: x (B, C), index length B, y (B).</summary>
internal sealed class GatherRowsFunction(Tensor x, int[] index) : Function(x)
{
    public override string Name => "GatherRows";

    public static Tensor Apply(Tensor x, ReadOnlySpan<int> index)
    {
        if (x.Rank != 2) throw new ArgumentException($"gather: expected a matrix (B, C), got shape {x.Shape}");
        int rows = x.Shape[0], cols = x.Shape[1];
        if (index.Length != rows) throw new ArgumentException($"gather: {index.Length} indices for shape {x.Shape} ({rows} rows)");
        var copy = index.ToArray();
        for (int i = 0; i < rows; i++)
        {
            if ((uint)copy[i] >= (uint)cols) throw new ArgumentOutOfRangeException(nameof(index), $"gather: index {copy[i]} in row {i} is out of range for shape {x.Shape}");
        }

        var y = Tensor.Uninitialized([rows], x.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([x], [y], () => ops.PickPerRow(x.Storage, copy, cols, y.Storage));
        return Needed(x) ? Record(y, new GatherRowsFunction(x, copy)) : y;
    }

    // ∂y_i/∂x[i, j] = [j = index[i]]: the gradient is scattered back to the gathered places
    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        int cols = x.Shape[1];
        var gx = Tensor.Uninitialized(x.Shape, x.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([g], [gx], () => ops.PlacePerRow(g.Storage, index, cols, gx.Storage));
        return [gx];
    }
}
