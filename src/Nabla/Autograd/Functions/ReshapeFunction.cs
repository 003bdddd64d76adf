using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = x with another shape of the same element count, sharing its storage.</summary>
internal sealed class ReshapeFunction(Tensor x) : Function(x)
{
    public override string Name => "Reshape";

    public static Tensor Apply(Tensor x, Shape shape)
    {
        if (shape.Count != x.Count) throw new ArgumentException($"reshape: cannot reshape shape {x.Shape} ({x.Count} elements) to shape {shape} ({shape.Count} elements)");
        var y = x.View(shape);
        return Needed(x) ? Record(y, new ReshapeFunction(x)) : y;
    }

    // ∂L/∂x = ∂L/∂y read in x's shape
    public override Tensor?[] Backward(Tensor g) => [g.View(Inputs[0].Shape)];
}
