using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Activations;

/// <summary>The activation g(a) = a for a &gt; 0, α·a otherwise. Elementwise; no parameters.</summary>
/// <param name="slope">α, the slope for negative inputs (default 0.01).</param>
public sealed class LeakyRelu(double slope = 0.01) : Module
{
    /// <summary>The architecture word <c>leakyrelu</c>.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = ArchitectureToken.Elementwise(() => new LeakyRelu(), "leakyrelu");

    /// <summary>α.</summary>
    public double Slope { get; } = slope;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.LeakyRelu(Slope);
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LeakyRelu({Slope})");

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "LeakyRelu", [x.Name], Of("alpha", (float)Slope)), x.Shape);
}
