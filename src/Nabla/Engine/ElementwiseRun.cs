using Nabla.Threading;

namespace Nabla.Engine;

/// <summary>Runs elementwise kernels (<see cref="ElementwiseForm"/>) over their elements in blocks, the blocks split
/// across the kernel threads when there are enough of them: one kernel, eager or replayed, or a fused chain of them
/// (<see cref="ElementwiseChain"/>), where every member runs on a block before any member moves to the next.</summary>
/// <remarks>Blocks are <see cref="KernelFusion.BlockElements"/> long and the last takes the remainder with it, whatever
/// the number of threads, so no block is shorter than a vector and each element takes the vector path it would take
/// in one pass over all of them: an elementwise kernel's element i depends on element i of what it reads alone, so the
/// bits do not depend on the split. Before, these kernels ran on the launching thread only (a dropout mask: 7.6 ms of a
/// W5 step on one thread, BENCHMARKS.md).</remarks>
internal static class ElementwiseRun
{
    /// <summary>Below this many elements a thread hand-off costs more than it saves.</summary>
    private const int ParallelThreshold = 32 * KernelFusion.BlockElements;

    /// <summary>Runs <paramref name="range"/> over all <paramref name="length"/> elements.</summary>
    public static void Run(Action<int, int> range, int length)
    {
        if (length < ParallelThreshold || Parallelism.MaxThreads <= 1)
        {
            range(0, length);
            return;
        }

        Split(range, null, length);
    }

    /// <summary>Runs <paramref name="members"/> in order over all <paramref name="length"/> elements, block by block.</summary>
    public static void Run(Action<int, int>[] members, int length)
    {
        if (length < ParallelThreshold || Parallelism.MaxThreads <= 1)
        {
            int blocks = Blocks(length);
            for (int b = 0; b < blocks; b++) RunBlock(null, members, b, blocks, length);
            return;
        }

        Split(null, members, length);
    }

    private static int Blocks(int length) => Math.Max(1, length / KernelFusion.BlockElements);

    /// <summary>Runs block <paramref name="block"/> of <paramref name="blocks"/>: <paramref name="range"/>, or each of
    /// <paramref name="members"/> in order, on its elements (the last block takes the remainder).</summary>
    private static void RunBlock(Action<int, int>? range, Action<int, int>[]? members, int block, int blocks, int length)
    {
        int start = block * KernelFusion.BlockElements, count = block == blocks - 1 ? length - start : KernelFusion.BlockElements;
        if (members is null)
        {
            range!(start, count);
            return;
        }

        foreach (var member in members) member(start, count);
    }

    private static void Split(Action<int, int>? range, Action<int, int>[]? members, int length)
    {
        var job = BlockJob.ForThisThread;
        job.Set(range, members, length);
        try
        {
            WorkerPool.Run(job, Math.Min(Parallelism.MaxThreads, Blocks(length)));
        }
        finally
        {
            job.Set(null, null, 0);   // the cached job keeps no kernel (and no tensor) alive
        }
    }

    /// <summary>Part t runs its share of the blocks. One reusable job per launching thread, so that a split kernel
    /// allocates nothing.</summary>
    private sealed class BlockJob : IParallelJob
    {
        [ThreadStatic] private static BlockJob? _forThisThread;

        private Action<int, int>? _range;
        private Action<int, int>[]? _members;
        private int _length;

        public static BlockJob ForThisThread => _forThisThread ??= new BlockJob();

        public void Set(Action<int, int>? range, Action<int, int>[]? members, int length) => (_range, _members, _length) = (range, members, length);

        public void Run(int part, int parts)
        {
            int blocks = Blocks(_length), first = (int)((long)blocks * part / parts), end = (int)((long)blocks * (part + 1) / parts);
            for (int b = first; b < end; b++) RunBlock(_range, _members, b, blocks, _length);
        }
    }
}
