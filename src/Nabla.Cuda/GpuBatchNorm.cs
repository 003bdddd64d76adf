using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;

namespace Nabla.Cuda;

/// <summary>Training-mode batch normalisation on the GPU. The statistics stay on the accelerator for the backward pass,
/// and are copied to the host's <c>mean</c> and <c>variance</c> after each forward pass, where the layer updates its
/// running statistics (a wait for the kernels: moving the running statistics to the device is left to the device's
/// training step).</summary>
internal sealed class GpuBatchNorm(GpuKernels kernels, int n, int channels, int length, double[] mean, double[] variance) : BatchNormOp, IDisposable
{
    private readonly BatchNormShape _shape = new() { N = n, Channels = channels, Length = length };
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _statistics = kernels.Accelerator.Allocate1D<double>(5 * Math.Max(channels, 1));

    public override void Forward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, double epsilon, bool relu)
    {
        if (Training.BatchShard.Current is { SyncBatchNormGroup: not null })
            throw new NotSupportedException("batch norm synchronised across ranks runs on the CPU only");
        kernels.BatchNormForward(x, gamma, beta, y, normalised, _statistics.View, _shape, epsilon, relu);
        _statistics.View.SubView(0, channels).AsContiguous().CopyToCPU(mean.AsSpan(0, channels));
        _statistics.View.SubView(channels, channels).AsContiguous().CopyToCPU(variance.AsSpan(0, channels));
    }

    public override void Backward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, BackendStorage? reluOutput)
    {
        if (reluOutput is not null) kernels.MaskByPositive(reluOutput, g, 0, g.Length);   // the fused ReLU's backward
        kernels.BatchNormBackward(g, normalised, gamma, gx, gGamma, gBeta, _statistics.View, _shape);
    }

    public void Dispose() => _statistics.Dispose();
}
