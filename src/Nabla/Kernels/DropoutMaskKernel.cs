using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Inverted dropout's mask from the counter-based generator (<see cref="CounterRandom"/>).</summary>
internal static class DropoutMaskKernel
{
    /// <summary>mask[i] = 1/keep when value <paramref name="first"/> + i of the stream keyed by <paramref name="key"/>
    /// is below <paramref name="keep"/>, else 0: each value kept with probability keep and scaled to keep its mean.</summary>
    public static void Fill<T>(Span<T> mask, ulong key, ulong first, double keep)
        where T : IFloatingPointIeee754<T>
    {
        T scale = T.CreateChecked(1 / keep);
        for (int i = 0; i < mask.Length; i++) mask[i] = CounterRandom.Uniform(key, first + (ulong)i) < keep ? scale : T.Zero;
    }
}
