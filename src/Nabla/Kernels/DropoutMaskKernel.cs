using System.Numerics;
using Nabla.Threading;

namespace Nabla.Kernels;

/// <summary>Inverted dropout's mask from the counter-based generator (<see cref="CounterRandom"/>).</summary>
/// <remarks>Each value is a hash of its own counter, so the mask is split across the kernel threads with the same bits
/// as one thread makes, and each draw is compared as an integer (<see cref="CounterRandom.Threshold"/>), which gives
/// the same choices as comparing the uniform double. Before, one thread drew W5's masks, about 6% of its step
/// (<c>nabla bench W5 --profile</c>).</remarks>
internal static class DropoutMaskKernel
{
    // Below this many values a thread hand-off costs more than it saves.
    private const int ParallelThreshold = 16 * 1024;

    /// <summary>mask[i] = 1/keep when value <paramref name="first"/> + i of the stream keyed by <paramref name="key"/>
    /// is below <paramref name="keep"/>, else 0: each value kept with probability keep and scaled to keep its mean.</summary>
    public static void Fill<T>(T[] mask, ulong key, ulong first, double keep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int parts = mask.Length < ParallelThreshold ? 1 : Parallelism.MaxThreads;
        if (parts <= 1)
        {
            FillRange(mask, key, first, keep, 0, mask.Length);
            return;
        }

        var job = FillJob<T>.ForThisThread;
        job.Set(mask, key, first, keep);
        try
        {
            WorkerPool.Run(job, parts);
        }
        finally
        {
            job.Set([], 0, 0, 0);   // the cached job keeps no mask alive
        }
    }

    private static void FillRange<T>(T[] mask, ulong key, ulong first, double keep, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = T.CreateChecked(1 / keep);
        ulong threshold = CounterRandom.Threshold(keep);
        for (int i = start; i < end; i++) mask[i] = CounterRandom.Bits53(key, first + (ulong)i) < threshold ? scale : T.Zero;
    }

    /// <summary>The parallel fill: part t draws its share of the values. One reusable job per calling thread, so that a
    /// fill allocates nothing.</summary>
    private sealed class FillJob<T> : IParallelJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] private static FillJob<T>? _forThisThread;

        private T[] _mask = [];
        private ulong _key, _first;
        private double _keep;

        public static FillJob<T> ForThisThread => _forThisThread ??= new FillJob<T>();

        public void Set(T[] mask, ulong key, ulong first, double keep) => (_mask, _key, _first, _keep) = (mask, key, first, keep);

        public void Run(int part, int parts) =>
            FillRange(_mask, _key, _first, _keep, (int)((long)_mask.Length * part / parts), (int)((long)_mask.Length * (part + 1) / parts));
    }
}
