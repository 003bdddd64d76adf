using Nabla.Kernels.Convolution;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

/// <summary>A convolution on the CPU: a <see cref="ConvolutionKernel{T}"/> of the element type the first pass meets,
/// made then and kept with its scratch.</summary>
internal sealed class CpuConvolution(Conv2dGeometry geometry, int batch, int outputs, int groups) : ConvolutionOp
{
    private ConvolutionKernel<float>? _single;
    private ConvolutionKernel<double>? _double;

    /// <inheritdoc/>
    public override void Forward(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, bool relu)
    {
        if (IsSingle(x)) (_single ??= new(geometry, batch, outputs, groups)).Forward(Of<float>(x), Of<float>(weight), OfOptional<float>(bias), Of<float>(y), relu);
        else (_double ??= new(geometry, batch, outputs, groups)).Forward(Of<double>(x), Of<double>(weight), OfOptional<double>(bias), Of<double>(y), relu);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No forward pass ran in this element type.</exception>
    public override void Backward(BackendStorage x, BackendStorage weight, BackendStorage? y, BackendStorage gy, BackendStorage? gx, BackendStorage? gw, BackendStorage? gb)
    {
        if (IsSingle(x)) Forwarded(_single).Backward(Of<float>(x), Of<float>(weight), OfOptional<float>(y), Of<float>(gy), OfOptional<float>(gx), OfOptional<float>(gw), OfOptional<float>(gb), fuseRelu: y is not null);
        else Forwarded(_double).Backward(Of<double>(x), Of<double>(weight), OfOptional<double>(y), Of<double>(gy), OfOptional<double>(gx), OfOptional<double>(gw), OfOptional<double>(gb), fuseRelu: y is not null);
    }

    /// <summary>The kernel of the forward pass: its scratch (the columns of each image) is what backward reads.</summary>
    private static T Forwarded<T>(T? kernel)
        where T : class => kernel ?? throw new InvalidOperationException("a convolution's backward pass needs the scratch of a forward pass in the same dtype");
}
