using System.Numerics;
using System.Runtime.InteropServices;

namespace Nabla.Optim;

/// <summary>The update Adagrad and RMSProp share, each weight's step divided by the root of an accumulated square of
/// its gradients:
/// <code>
/// g ← ∇W + λ_wd · W
/// s ← keep · s + add · g²        (Adagrad: keep = add = 1; RMSProp: keep = α, add = 1 − α)
/// W ← W − η · g / (√s + ε)
/// </code>
/// One vectorised pass per parameter, the same operations in the same order in the vector and scalar loops.</summary>
internal static class RootSquareStep
{
    public static void Apply<T>(Span<T> w, ReadOnlySpan<T> grad, Span<T> s, T keep, T add, T eps, T decay, T eta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> keepV = new(keep), addV = new(add), epsV = new(eps), decayV = new(decay), etaV = new(eta);
            ref T wRef = ref MemoryMarshal.GetReference(w);
            ref T gRef = ref MemoryMarshal.GetReference(grad);
            for (; i + Vector<T>.Count <= w.Length; i += Vector<T>.Count)
            {
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i);
                var g = Vector.LoadUnsafe(ref gRef, (nuint)i) + (decayV * wi);
                var si = (keepV * Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i)) + (addV * g * g);
                si.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
                (wi - (etaV * g / (Vector.SquareRoot(si) + epsV))).StoreUnsafe(ref wRef, (nuint)i);
            }
        }

        for (; i < w.Length; i++)
        {
            T g = grad[i] + (decay * w[i]);
            s[i] = (keep * s[i]) + (add * g * g);
            w[i] -= eta * g / (T.Sqrt(s[i]) + eps);
        }
    }
}
