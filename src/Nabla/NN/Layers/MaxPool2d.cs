using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>2-D max pooling over K×K windows: (N, C, H, W) → (N, C, OH, OW); the stride defaults to K. No parameters.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Module
{
    /// <summary>K.</summary>
    public int KernelSize { get; } = kernelSize >= 1 ? kernelSize : throw new ArgumentOutOfRangeException(nameof(kernelSize), "kernel size must be at least 1");

    /// <summary>S.</summary>
    public int Stride { get; } = stride ?? kernelSize;

    /// <summary>P (padding never wins the maximum).</summary>
    public int Padding { get; } = padding;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool2d(KernelSize, Stride, Padding);
    }

    /// <inheritdoc/>
    public override string Describe() => Stride == KernelSize && Padding == 0 ? $"MaxPool2d({KernelSize})" : $"MaxPool2d({KernelSize}, stride {Stride}, padding {Padding})";
}
