using Nabla.Kernels;
using Nabla.Threading;
using static Nabla.Backends.Cpu.CpuMemory;

namespace Nabla.Backends.Cpu;

/// <summary>A smooth activation on the CPU: one contiguous part of the elements per kernel thread.</summary>
internal sealed class CpuSmoothActivation(SmoothActivation kind, double alpha, int count) : SmoothActivationOp, IParallelJob
{
    /// <summary>Elements below which one thread does the whole tensor: splitting costs a wake-up of the workers, a few
    /// microseconds, worth it only when the loop takes longer (GELU's erf costs about 40 ns an element).</summary>
    private const int ParallelThreshold = 16_384;

    // The operands of the pass under way, read by the threads' parts.
    private Array _x = Array.Empty<float>(), _y = Array.Empty<float>(), _derivative = Array.Empty<float>();

    /// <inheritdoc/>
    public override void Run(BackendStorage x, BackendStorage y, BackendStorage derivative)
    {
        if (IsSingle(x)) (_x, _y, _derivative) = (Of<float>(x), Of<float>(y), Of<float>(derivative));
        else (_x, _y, _derivative) = (Of<double>(x), Of<double>(y), Of<double>(derivative));
        // Each element is computed on its own, so the parts give the same bits in any split.
        int parts = count < ParallelThreshold ? 1 : Math.Min(Parallelism.MaxThreads, count / (ParallelThreshold / 2));
        WorkerPool.Run(this, parts);
    }

    /// <inheritdoc/>
    public void Run(int part, int parts)
    {
        int start = (int)((long)count * part / parts), end = (int)((long)count * (part + 1) / parts);
        if (_x is float[] x) SmoothActivationKernel.Compute<float>(x, (float[])_y, (float[])_derivative, kind, alpha, start, end);
        else SmoothActivationKernel.Compute<double>((double[])_x, (double[])_y, (double[])_derivative, kind, alpha, start, end);
    }
}
