using Nabla.Kernels;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

/// <summary>Batch normalisation on the CPU: a <see cref="BatchNormKernel{T}"/> of the element type the forward pass
/// meets, which keeps the statistics for the backward pass.</summary>
internal sealed class CpuBatchNorm(int n, int channels, int length, double[] mean, double[] variance) : BatchNormOp
{
    private BatchNormKernel<float>? _single;
    private BatchNormKernel<double>? _double;

    /// <inheritdoc/>
    public override void Forward(BackendStorage x, BackendStorage gamma, BackendStorage beta, BackendStorage y, BackendStorage normalised, double epsilon, bool relu)
    {
        if (IsSingle(x)) (_single ??= new(n, channels, length, mean, variance)).Forward(Of<float>(x), Of<float>(gamma), Of<float>(beta), Of<float>(y), Of<float>(normalised), epsilon, relu);
        else (_double ??= new(n, channels, length, mean, variance)).Forward(Of<double>(x), Of<double>(gamma), Of<double>(beta), Of<double>(y), Of<double>(normalised), epsilon, relu);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No forward pass ran in this element type.</exception>
    public override void Backward(BackendStorage g, BackendStorage normalised, BackendStorage gamma, BackendStorage gx, BackendStorage gGamma, BackendStorage gBeta, BackendStorage? reluOutput)
    {
        if (IsSingle(g)) Forwarded(_single).Backward(Of<float>(g), Of<float>(normalised), Of<float>(gamma), Of<float>(gx), Of<float>(gGamma), Of<float>(gBeta), reluOutput is null ? null : Of<float>(reluOutput));
        else Forwarded(_double).Backward(Of<double>(g), Of<double>(normalised), Of<double>(gamma), Of<double>(gx), Of<double>(gGamma), Of<double>(gBeta), reluOutput is null ? null : Of<double>(reluOutput));
    }

    /// <inheritdoc/>
    public override void UpdateRunning(BackendStorage runningMean, BackendStorage runningVariance, double momentum, double values)
    {
        if (IsSingle(runningMean)) UpdateRunning(Of<float>(runningMean), Of<float>(runningVariance), momentum, values);
        else UpdateRunning(Of<double>(runningMean), Of<double>(runningVariance), momentum, values);
    }

    // In float64, rounded once to the buffers' type: as the GPU's kernel (BatchNormKernels.Running).
    private void UpdateRunning<T>(T[] m, T[] v, double momentum, double values)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        for (int c = 0; c < channels; c++)
        {
            m[c] = T.CreateTruncating(((1 - momentum) * double.CreateTruncating(m[c])) + (momentum * mean[c]));
            v[c] = T.CreateTruncating(((1 - momentum) * double.CreateTruncating(v[c])) + (momentum * variance[c] * values / (values - 1)));
        }
    }

    private static T Forwarded<T>(T? kernel)
        where T : class => kernel ?? throw new InvalidOperationException("batch norm's backward pass needs the statistics of a forward pass in the same dtype");
}
