using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>Undoes broadcasting in the backward pass, the one place it is done.</summary>
internal static class Broadcasting
{
    /// <summary>Sums <paramref name="gradient"/> over the axes that broadcasting added or stretched, so that it takes
    /// <paramref name="shape"/>: if x of shape s was broadcast to shape t, then ∂L/∂x = Σ over the broadcast axes of ∂L/∂(broadcast x).</summary>
    public static Tensor SumToShape(Tensor gradient, Shape shape)
    {
        if (gradient.Shape == shape) return gradient;
        int lead = gradient.Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < gradient.Rank; i++)
        {
            if (i < lead || (shape.Dims[i - lead] == 1 && gradient.Shape.Dims[i] != 1)) axes.Add(i);
        }

        var summed = Tensor.RawSum(gradient, [.. axes], keepDims: true);
        return summed.View(shape);
    }
}
