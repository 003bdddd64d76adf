using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation g(a) = σ(a) = 1 / (1 + e⁻ᵃ). Elementwise; no parameters.</summary>
public sealed class Sigmoid : Module
{
    /// <summary>The architecture word <c>sigmoid</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Sigmoid(), "sigmoid");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Sigmoid", [x.Name]), x.Shape);
}
