using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>2-D average pooling over K×K windows: (N, C, H, W) → (N, C, OH, OW); the stride defaults to K, padding
/// counts as zeros. No parameters.</summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0) : Pool2d(kernelSize, stride, padding)
{
    /// <summary>The architecture word <c>avgpool&lt;K&gt;[s&lt;S&gt;]</c>: average pooling over K×K windows, stride S (K).</summary>
    internal static ArchitectureToken ArchitectureWord { get; } =
        new("avgpool<K>[s<S>]", @"^avgpool(?<k>\d+)(?:s(?<s>\d+))?$", (match, layer) => PlanPool(match, layer, (k, s) => new AvgPool2d(k, s)));

    private protected override string Name => nameof(AvgPool2d);

    private protected override Tensor Pool(Tensor input) => input.AvgPool2d(KernelSize, Stride, Padding);

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => EmitPool(onnx, path, x, "AveragePool");
}
