using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Inverted dropout's mask from the counter-based generator (<see cref="CounterRandom"/>).</summary>
/// <remarks>Each value is a hash of its own counter, so any range of the mask can be drawn on its own: the mask is an
/// elementwise kernel, split across the kernel threads and chained by the capture's fusion pass with the product that
/// consumes it (<c>x ⊙ mask</c>), block by block while the block is in L1, with the bits of one pass. Each draw is
/// compared as an integer (<see cref="CounterRandom.Threshold"/>), which gives the same choices as comparing the
/// uniform double.</remarks>
internal static class DropoutMaskKernel
{
    /// <summary>mask[i] = 1/keep when value <paramref name="first"/> + i of the stream keyed by <paramref name="key"/>
    /// is below <paramref name="keep"/>, else 0: each value kept with probability keep and scaled to keep its mean.</summary>
    public static void Fill<T>(Span<T> mask, ulong key, ulong first, double keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateChecked(1 / keep);
        ulong threshold = CounterRandom.Threshold(keep);
        for (int i = 0; i < mask.Length; i++) mask[i] = CounterRandom.Bits53(key, first + (ulong)i) < threshold ? scale : T.Zero;
    }
}
