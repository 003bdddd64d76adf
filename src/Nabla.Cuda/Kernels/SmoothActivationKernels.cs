using System.Numerics;
using ILGPU;
using Nabla.Kernels;

namespace Nabla.Cuda.Kernels;

/// <summary>The smooth activations (ELU, SiLU, softplus, GELU) with their derivatives, one thread per element, through
/// the CPU's own per-element definition (<see cref="SmoothActivationKernel.Evaluate"/>, in float64).</summary>
internal static class SmoothActivationKernels
{
    public static void Run<T, TPrecision>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<T> derivative, int kind, double alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPrecision : struct, IPrecision<T>
    {
        SmoothActivationKernel.Evaluate((SmoothActivation)kind, alpha, TPrecision.Widen(x[i]), out double value, out double slope);
        y[i] = TPrecision.Narrow(value);
        derivative[i] = TPrecision.Narrow(slope);
    }
}
