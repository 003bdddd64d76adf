using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>2-D max pooling over K×K windows: (N, C, H, W) → (N, C, OH, OW); the stride defaults to K; padding never
/// wins the maximum. No parameters.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Pool2d(kernelSize, stride, padding)
{
    private protected override string Name => nameof(MaxPool2d);

    private protected override Tensor Pool(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding);

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => EmitPool(onnx, path, x, "MaxPool");
}
