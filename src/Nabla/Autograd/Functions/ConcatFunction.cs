using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = the inputs joined along one axis; all other dimensions must agree.</summary>
internal sealed class ConcatFunction(Tensor[] inputs, int axis) : Function(inputs)
{
    public override string Name => "Concat";

    public static Tensor Apply(Tensor[] inputs, int axis)
    {
        if (inputs.Length == 0) throw new ArgumentException("concat: no tensors given");
        var first = inputs[0];
        int a = first.Shape.NormalizeAxis(axis);
        int total = 0;
        foreach (var t in inputs)
        {
            Tensor.CheckSameDType(first, t, "concat");
            bool compatible = t.Rank == first.Rank;
            for (int i = 0; compatible && i < t.Rank; i++) compatible = i == a || t.Shape.Dims[i] == first.Shape.Dims[i];
            if (!compatible) throw new ArgumentException($"concat: shapes {first.Shape} and {t.Shape} differ outside axis {axis}");
            total += t.Shape.Dims[a];
        }

        var dims = first.Shape.ToArray();
        dims[a] = total;
        var y = Tensor.Zeros(new Shape(dims), first.DType);
        int start = 0;
        foreach (var t in inputs)
        {
            y.RawPlace(t, a, start);
            start += t.Shape.Dims[a];
        }

        return Needed(inputs) ? Record(y, new ConcatFunction(inputs, a)) : y;
    }

    // ∂L/∂inputᵢ = the slab of ∂L/∂y that inputᵢ filled
    public override Tensor?[] Backward(Tensor g)
    {
        var grads = new Tensor?[Inputs.Length];
        int start = 0;
        for (int i = 0; i < Inputs.Length; i++)
        {
            int length = Inputs[i].Shape.Dims[axis];
            grads[i] = g.RawNarrow(axis, start, length);
            start += length;
        }

        return grads;
    }
}
