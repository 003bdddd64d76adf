using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

/// <summary>Max pooling on the GPU: the forward pass keeps, in a buffer of its own, the flat index of the input each
/// output took, which the backward pass reads.</summary>
internal sealed class GpuMaxPool(GpuKernels kernels, Conv2dGeometry geometry, int planes) : MaxPoolOp, IDisposable
{
    private readonly WindowShape _shape = WindowShape.Of(geometry);
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _argMax = kernels.Accelerator.Allocate1D<int>(Math.Max(1, planes * geometry.OutputHeight * geometry.OutputWidth));

    public override void Forward(BackendStorage x, BackendStorage y) => kernels.MaxPoolForward(x, y, _argMax.View, _shape);

    public override void Backward(BackendStorage g, BackendStorage gx) => kernels.MaxPoolBackward(g, _argMax.View, gx, _shape);

    public void Dispose() => _argMax.Dispose();
}
