using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>Flattens every axis after the batch axis: (B, …) → (B, ∏…).</summary>
public sealed class Flatten : Module
{
    /// <summary>The architecture word <c>flatten</c>: (C, H, W) → (C·H·W).</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("flatten", "^flatten$", (_, layer) =>
    {
        layer.RequireImage();
        // Every shape is at most MaxExampleElements, so the product fits an int.
        return new LayerPlan((_, _, _) => new Flatten(), [layer.Shape[0] * layer.Shape[1] * layer.Shape[2]], 0);
    });

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape);
        return input.Flatten(1);
    }

    /// <summary>Throws unless the input has a batch axis and at least one more.</summary>
    internal static void CheckInput(Shape shape)
    {
        if (shape.Rank < 2) throw new ArgumentException($"Flatten expects input (B, …) with at least two axes, got shape {shape}");
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) =>
        new(onnx.Node(path, "Flatten", [x.Name], Of("axis", 1L)), [x.Shape.Aggregate(1, (a, b) => a * b)]);
}
