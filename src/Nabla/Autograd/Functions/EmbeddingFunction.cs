using System.Globalization;
using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>A table lookup: y[…, :] = W[index[…], :], with W (V, D) and integer indices (stored as floats) of any
/// shape; y has the indices' shape plus D.</summary>
/// <remarks>Each output row is one row of W, so ∂L/∂W[v] = Σ of the output gradients of every position that looked up
/// v (an index used twice gets both gradients); the indices are not differentiable.</remarks>
internal sealed class EmbeddingFunction(Tensor weight, int[] indices) : Function(weight)
{
    public override string Name => "Embedding";

    public static Tensor Apply(Tensor indices, Tensor weight)
    {
        if (weight.Rank != 2) throw new ArgumentException($"embedding: the table must be (V, D), got shape {weight.Shape}");
        int vocabulary = weight.Shape[0], dimension = weight.Shape[1];
        var flat = new int[indices.Count];
        for (int i = 0; i < flat.Length; i++)
        {
            double v = indices.GetFlat(i);
            if (v != Math.Floor(v) || v < 0 || v >= vocabulary)
                throw new ArgumentOutOfRangeException(nameof(indices), string.Create(CultureInfo.InvariantCulture, $"embedding: index {v} at position {i} is not a whole number in [0, {vocabulary})"));
            flat[i] = (int)v;
        }

        var y = Tensor.Uninitialized(new Shape([.. indices.Shape.Dims, dimension]), weight.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([weight], [y], () => ops.GatherRows(weight.Storage, flat, dimension, y.Storage));
        return Needed(weight) ? Record(y, new EmbeddingFunction(weight, flat)) : y;
    }

    public override Tensor?[] Backward(Tensor g)
    {
        var weight = Inputs[0];
        var gw = Tensor.Zeros(weight.Shape, weight.DType);
        int dimension = weight.Shape[1];
        var ops = Backend.Current.Ops;
        Kernel.Launch([g, gw], [gw], () => ops.ScatterAddRows(g.Storage, indices, dimension, gw.Storage));
        return [gw];
    }
}
