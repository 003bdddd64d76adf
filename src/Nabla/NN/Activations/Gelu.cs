using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The activation GELU(x) = x·Φ(x), Φ the standard normal distribution function (exact, as PyTorch's
/// default). Elementwise; no parameters.</summary>
public sealed class Gelu : Module
{
    /// <summary>The architecture word <c>gelu</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new Gelu(), "gelu");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Gelu();
    }

    /// <summary>ONNX: GELU(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), from Div, Erf, Add and Mul: the Gelu operator needs
    /// opset 20.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        var erf = onnx.Node(path, "Erf", [onnx.Node(path, "Div", [x.Name, onnx.Scalar(OnnxEmitter.Join(path, "sqrt2"), MathF.Sqrt(2))])]);
        var phi2 = onnx.Node(path, "Add", [erf, onnx.Scalar(OnnxEmitter.Join(path, "one"), 1f)]);   // 2Φ(x)
        return new(onnx.Node(path, "Mul", [onnx.Node(path, "Mul", [x.Name, phi2]), onnx.Scalar(OnnxEmitter.Join(path, "half"), 0.5f)]), x.Shape);
    }
}
