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
        if (IsSingle(runningMean))
        {
            float[] m = Of<float>(runningMean), v = Of<float>(runningVariance);
            for (int c = 0; c < channels; c++)
            {
                m[c] = (float)(((1 - momentum) * m[c]) + (momentum * mean[c]));
                v[c] = (float)(((1 - momentum) * v[c]) + (momentum * variance[c] * values / (values - 1)));
            }
        }
        else
        {
            double[] m = Of<double>(runningMean), v = Of<double>(runningVariance);
            for (int c = 0; c < channels; c++)
            {
                m[c] = ((1 - momentum) * m[c]) + (momentum * mean[c]);
                v[c] = ((1 - momentum) * v[c]) + (momentum * variance[c] * values / (values - 1));
            }
        }
    }

    private static T Forwarded<T>(T? kernel)
        where T : class => kernel ?? throw new InvalidOperationException("batch norm's backward pass needs the statistics of a forward pass in the same dtype");
}
