using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>2-D max pooling over K×K windows: (N, C, H, W) → (N, C, OH, OW); the stride defaults to K; padding never
/// wins the maximum. No parameters.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Pool2d(kernelSize, stride, padding)
{
    /// <summary>The architecture word <c>pool&lt;K&gt;[s&lt;S&gt;]</c> (or <c>maxpool…</c>): max pooling over K×K windows,
    /// stride S (K).</summary>
    internal static ArchitectureToken ArchitectureWord { get; } =
        new("pool<K>[s<S>]", @"^(?:max)?pool(?<k>\d+)(?:s(?<s>\d+))?$", (match, layer) => PlanPool(match, layer, (k, s) => new MaxPool2d(k, s)));

    private protected override string Name => nameof(MaxPool2d);

    private protected override Tensor Pool(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding);

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => EmitPool(onnx, path, x, "MaxPool");
}
