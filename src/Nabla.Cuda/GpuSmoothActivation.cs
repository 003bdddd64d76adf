using Nabla.Backends;
using Nabla.Kernels;

namespace Nabla.Cuda;

/// <summary>One smooth activation over a fixed number of elements on the GPU.</summary>
internal sealed class GpuSmoothActivation(GpuKernels kernels, SmoothActivation kind, double alpha, int count) : SmoothActivationOp
{
    public override void Run(BackendStorage x, BackendStorage y, BackendStorage derivative) => kernels.RunSmoothActivation(x, y, derivative, kind, alpha, count);
}
