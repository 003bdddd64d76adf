using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation SiLU(x) = x·σ(x), also called swish. Elementwise; no parameters.</summary>
public sealed class Silu : Module
{
    /// <summary>The architecture word <c>silu</c> (or <c>swish</c>).</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Silu(), "silu", "swish");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Silu();
    }

    /// <summary>ONNX: x·σ(x), from Sigmoid and Mul.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) =>
        new(onnx.Node(path, "Mul", [x.Name, onnx.Node(path, "Sigmoid", [x.Name])]), x.Shape);
}
