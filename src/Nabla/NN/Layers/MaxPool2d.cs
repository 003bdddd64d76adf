using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>2-D max pooling over K×K windows: (N, C, H, W) → (N, C, OH, OW); the stride defaults to K. No parameters.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Module
{
    /// <summary>K.</summary>
    public int KernelSize { get; } = kernelSize >= 1 ? kernelSize : throw new ArgumentOutOfRangeException(nameof(kernelSize), "kernel size must be at least 1");

    /// <summary>S.</summary>
    public int Stride { get; } = (stride ?? kernelSize) >= 1 ? stride ?? kernelSize : throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be at least 1, not {stride}");

    /// <summary>P (padding never wins the maximum).</summary>
    public int Padding { get; } = padding >= 0 && 2 * padding <= kernelSize
        ? padding
        : throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be in [0, {kernelSize / 2}] (at most half the kernel), not {padding}");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape);
        return input.MaxPool2d(KernelSize, Stride, Padding);
    }

    /// <summary>Throws, naming the layer and the shape, unless the input is (N, C, H, W) with images large enough
    /// for the window.</summary>
    internal void CheckInput(Shape shape)
    {
        if (shape.Rank != 4) throw new ArgumentException($"{Describe()} expects input (N, C, H, W), got shape {shape}");
        if (shape[2] + (2 * Padding) < KernelSize || shape[3] + (2 * Padding) < KernelSize)
            throw new ArgumentException($"{Describe()}: its {KernelSize}×{KernelSize} window does not fit the {shape[2]}×{shape[3]} images of input {shape}");
    }

    /// <inheritdoc/>
    public override string Describe() => Stride == KernelSize && Padding == 0 ? $"MaxPool2d({KernelSize})" : $"MaxPool2d({KernelSize}, stride {Stride}, padding {Padding})";
}
