using System.Numerics;
using ILGPU;
using Nabla.Kernels;

namespace Nabla.Cuda.Kernels;

/// <summary>Inverted dropout's mask, one thread per element: value <c>first + i</c> of the counter-based stream
/// (<see cref="CounterRandom"/>, the CPU's own generator, called as it is), kept when its 53 bits are below the keep
/// probability's threshold. The same masks as the CPU's, bit for bit.</summary>
internal static class DropoutMaskKernel
{
    public static void Fill<T>(Index1D i, ArrayView<T> mask, ulong key, ulong first, ulong threshold, T scale, int start)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int at = start + i;
        mask[at] = CounterRandom.Bits53(key, first + (ulong)at) < threshold ? scale : T.Zero;
    }
}
