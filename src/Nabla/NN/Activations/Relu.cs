using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation g(a) = ReLU(a) = max(0, a). Elementwise; no parameters.</summary>
public sealed class Relu : Module
{
    /// <summary>The architecture word <c>relu</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Relu(), "relu");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Relu", [x.Name]), x.Shape);
}
