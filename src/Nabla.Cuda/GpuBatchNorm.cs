using ILGPU;
using ILGPU.Runtime;
using Nabla.Backends;
using Nabla.Cuda.Kernels;

namespace Nabla.Cuda;

/// <summary>Training-mode batch normalisation on the GPU. The statistics stay on the accelerator, for the backward pass
/// and for the running statistics (<see cref="UpdateRunning"/>): nothing is copied to the host, whose <c>mean</c> and
/// <c>variance</c> arrays (the CPU's way of handing them over) are left as they are.</summary>
internal sealed class GpuBatchNorm(GpuKernels kernels, int n, int channels, int length) : BatchNormOp
{
    private readonly BatchNormShape _shape = new() { N = n, Channels = channels, Length = length, Parts = BatchNormShape.PartsFor(n) };

    // μ, σ², r, Σg and Σg·x̂ per channel, then each channel's partial sums (BatchNormKernels). A device buffer the GC
    // knows the size of, so that an eager step's, dropped, is finalised as device memory grows.
    private readonly GpuStorage<double> _statistics = kernels.Allocate<double>((5 + (2 * BatchNormShape.PartsFor(n))) * Math.Max(channels, 1));

    public override void Forward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, double epsilon, bool relu)
    {
        if (Training.BatchShard.Current is { SyncBatchNormGroup: not null })
            throw new NotSupportedException("batch norm synchronised across ranks runs on the CPU only");
        kernels.BatchNormForward(x, gamma, beta, y, normalised, _statistics.View, _shape, epsilon, relu);
    }

    public override void Backward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, BackendStorage? reluOutput)
    {
        if (reluOutput is not null) kernels.MaskByPositive(reluOutput, g, 0, g.Length);   // the fused ReLU's backward
        kernels.BatchNormBackward(g, normalised, gamma, gx, gGamma, gBeta, _statistics.View, _shape);
    }

    public override void UpdateRunning(BackendStorage runningMean, BackendStorage runningVariance, double momentum, double values) =>
        kernels.BatchNormRunning(runningMean, runningVariance, _statistics.View, channels, momentum, values);

}
