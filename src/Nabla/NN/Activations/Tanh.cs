using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation g(a) = tanh a. Elementwise; no parameters.</summary>
public sealed class Tanh : Module
{
    /// <summary>The architecture word <c>tanh</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Tanh(), "tanh");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Tanh", [x.Name]), x.Shape);
}
