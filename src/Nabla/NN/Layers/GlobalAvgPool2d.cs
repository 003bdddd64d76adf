using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>Global average pooling: the mean of each channel over all positions, (N, C, H, W) → (N, C). No parameters.</summary>
public sealed class GlobalAvgPool2d : Module
{
    /// <summary>The architecture word <c>gap</c>: global average pooling, (C, H, W) → (C).</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("gap", "^gap$", (_, layer) =>
    {
        layer.RequireImage();
        return new LayerPlan((_, _, _) => new GlobalAvgPool2d(), [layer.Shape[0]], 0);
    });

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"GlobalAvgPool2d expects input (N, C, H, W), got shape {input.Shape}");
        return input.Mean([2, 3]);
    }

    /// <summary>ONNX: GlobalAveragePool, which keeps (N, C, 1, 1), then Flatten to this layer's (N, C).</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        OnnxEmitter.RequireImage(path, this, x.Shape);
        return new(onnx.Node(path, "Flatten", [onnx.Node(path, "GlobalAveragePool", [x.Name])], Of("axis", 1L)), [x.Shape[0]]);
    }
}
