using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Activations;

/// <summary>The activation ELU(x) = x for x &gt; 0, eˣ − 1 otherwise (α = 1, PyTorch's default). Elementwise; no parameters.</summary>
public sealed class Elu : Module
{
    /// <summary>The architecture word <c>elu</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Elu(), "elu");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Elu();
    }

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Elu", [x.Name], Of("alpha", 1f)), x.Shape);
}
