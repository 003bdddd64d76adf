using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

/// <summary>Max pooling on the CPU: a <see cref="MaxPoolPass{T}"/> of the element type the forward pass meets, which
/// keeps where each maximum came from for the backward pass.</summary>
internal sealed class CpuMaxPool(Conv2dGeometry geometry, int planes) : MaxPoolOp
{
    private MaxPoolPass<float>? _single;
    private MaxPoolPass<double>? _double;

    /// <inheritdoc/>
    public override void Forward(BackendStorage x, BackendStorage y)
    {
        if (IsSingle(x)) (_single ??= new(geometry, planes)).Forward(Of<float>(x), Of<float>(y));
        else (_double ??= new(geometry, planes)).Forward(Of<double>(x), Of<double>(y));
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No forward pass ran in this element type.</exception>
    public override void Backward(BackendStorage g, BackendStorage gx)
    {
        if (IsSingle(g)) Forwarded(_single).Backward(Of<float>(g), Of<float>(gx));
        else Forwarded(_double).Backward(Of<double>(g), Of<double>(gx));
    }

    private static T Forwarded<T>(T? pass)
        where T : class => pass ?? throw new InvalidOperationException("max pooling's backward pass needs the choices of a forward pass in the same dtype");
}
