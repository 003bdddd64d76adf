using System.Numerics;
using Nabla.Engine;
using Nabla.Tensors;
using Nabla.Threading;

namespace Nabla.Autograd.Functions;

/// <summary>The smooth activations of current practice, each computed with its derivative in one forward pass; the
/// backward pass is then one multiplication, g ⊙ y′(x).</summary>
/// <remarks>
/// <code>
/// ELU       y = x for x &gt; 0, α(eˣ − 1) otherwise          y′ = 1, or α·eˣ = y + α
/// SiLU      y = x·σ(x)                                    y′ = σ(x)·(1 + x·(1 − σ(x)))
/// softplus  y = log(1 + eˣ), or x for x &gt; 20            y′ = σ(x), or 1 for x &gt; 20
/// GELU      y = x·Φ(x) = ½x(1 + erf(x/√2))              y′ = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)
/// </code>
/// GELU is the exact form (PyTorch's default), not the tanh approximation.
/// The softplus threshold is PyTorch's: beyond it log(1 + eˣ) equals x to float precision, and eˣ would overflow.
/// </remarks>
internal sealed class SmoothActivationFunction(Tensor x, Tensor derivative, SmoothActivation kind) : Function(x)
{
    private const double SoftplusThreshold = 20;

    /// <summary>Elements below which one thread does the whole tensor: splitting costs a wake-up of the workers, a few
    /// microseconds, worth it only when the loop takes longer (GELU's erf costs about 40 ns an element).</summary>
    private const int ParallelThreshold = 16_384;

    public override string Name => kind.ToString();

    public static Tensor Apply(Tensor x, SmoothActivation kind, double alpha = 1)
    {
        var y = Tensor.Uninitialized(x.Shape, x.DType);
        var derivative = Tensor.Uninitialized(x.Shape, x.DType);
        // Each element is computed on its own, so the parts give the same bits in any split.
        int parts = x.Count < ParallelThreshold ? 1 : Math.Min(Parallelism.MaxThreads, x.Count / (ParallelThreshold / 2));
        // The job is made once, outside the kernel, so that a replay allocates nothing.
        IParallelJob job = x.DType == DType.Float32 ? new Job<float>(x, y, derivative, kind, alpha) : new Job<double>(x, y, derivative, kind, alpha);
        Kernel.Launch([x], [y, derivative], () => WorkerPool.Run(job, parts));
        return Needed(x) ? Record(y, new SmoothActivationFunction(x, derivative, kind)) : y;
    }

    /// <summary>One contiguous part of the elements per thread.</summary>
    private sealed class Job<T>(Tensor x, Tensor y, Tensor derivative, SmoothActivation kind, double alpha) : IParallelJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int part, int parts)
        {
            int start = (int)((long)x.Count * part / parts), end = (int)((long)x.Count * (part + 1) / parts);
            Compute(x.Buffer<T>(), y.Buffer<T>(), derivative.Buffer<T>(), kind, alpha, start, end);
        }
    }

    private static void Compute<T>(T[] x, T[] y, T[] derivative, SmoothActivation kind, double alpha, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = start; i < end; i++)
        {
            double v = double.CreateTruncating(x[i]), value, slope;
            switch (kind)
            {
                case SmoothActivation.Elu:
                    value = v > 0 ? v : alpha * double.ExpM1(v);
                    slope = v > 0 ? 1 : alpha * Math.Exp(v);
                    break;
                case SmoothActivation.Silu:
                    double s = 1 / (1 + Math.Exp(-v));
                    value = v * s;
                    slope = s * (1 + (v * (1 - s)));
                    break;
                case SmoothActivation.Gelu:
                    double cdf = 0.5 * (1 + Kernels.SpecialFunctions.Erf(v / Math.Sqrt(2)));
                    value = v * cdf;
                    slope = cdf + (v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI));
                    break;
                default:
                    value = v > SoftplusThreshold ? v : Math.Log(1 + Math.Exp(v));
                    slope = v > SoftplusThreshold ? 1 : 1 / (1 + Math.Exp(-v));
                    break;
            }

            y[i] = T.CreateTruncating(value);
            derivative[i] = T.CreateTruncating(slope);
        }
    }

    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<Kernels.MultiplyOperator>(g, derivative, "activation backward")];
}

/// <summary>The activations <see cref="SmoothActivationFunction"/> computes.</summary>
internal enum SmoothActivation
{
    Elu,
    Silu,
    Softplus,
    Gelu,
}
