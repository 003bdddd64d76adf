using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation softplus(x) = log(1 + eˣ), a smooth ReLU. Elementwise; no parameters.</summary>
public sealed class Softplus : Module
{
    /// <summary>The architecture word <c>softplus</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Softplus(), "softplus");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softplus();
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Softplus", [x.Name]), x.Shape);
}
