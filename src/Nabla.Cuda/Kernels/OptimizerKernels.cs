using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>The optimisers' updates, one thread per weight, in the operations and order of the CPU's scalar loops
/// (Nabla.Optim.Sgd and Adam), so that results agree to rounding.</summary>
internal static class OptimizerKernels
{
    /// <summary>SGD with momentum μ (velocity v, zero at first), Nesterov's variant and L2 weight decay λ:
    /// g = ∇ + λw; v ← μv + g; step = Nesterov ? g + μv : v; w ← w − η·step. Without momentum, w ← w − η·g.</summary>
    public static void Sgd<T>(Index1D i, ArrayView<T> w, ArrayView<T> grad, ArrayView<T> velocity, SgdStep<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T g = grad[i] + (s.Decay * w[i]);
        if (s.HasVelocity != 0)
        {
            T v = (s.Mu * velocity[i]) + g;
            velocity[i] = v;
            g = s.Nesterov != 0 ? g + (s.Mu * v) : v;
        }

        w[i] -= s.Eta * g;
    }

    /// <summary>Adam (and AdamW's decoupled decay through <c>Shrink</c>): m ← β₁m + (1 − β₁)g;
    /// v ← β₂v + (1 − β₂)g²; w ← shrink·w − η·(m / c₁) / (√(v / c₂) + ε), with the bias corrections c = 1 − βᵗ.</summary>
    public static void Adam<T>(Index1D i, ArrayView<T> w, ArrayView<T> grad, ArrayView<T> m, ArrayView<T> v, AdamStep<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T g = grad[i] + (s.Decay * w[i]);
        m[i] = (s.Beta1 * m[i]) + ((T.One - s.Beta1) * g);
        v[i] = (s.Beta2 * v[i]) + ((T.One - s.Beta2) * g * g);
        T mHat = m[i] / s.Correction1, vHat = v[i] / s.Correction2;
        w[i] = (s.Shrink * w[i]) - (s.Eta * mHat / (T.Sqrt(vHat) + s.Epsilon));
    }
}

/// <summary>One SGD step's constants, in the element type.</summary>
internal struct SgdStep<T>
    where T : unmanaged
{
    public T Eta, Mu, Decay;
    public int HasVelocity, Nesterov;
}

/// <summary>One Adam step's constants, in the element type.</summary>
internal struct AdamStep<T>
    where T : unmanaged
{
    public T Beta1, Beta2, Epsilon, Eta, Decay, Shrink, Correction1, Correction2;
}
