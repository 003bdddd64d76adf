namespace Nabla.Cli.Benchmarks;

/// <summary>Managed-heap activity over a stretch of code: bytes allocated (by this thread and by all threads) and
/// garbage collections by generation.</summary>
internal readonly record struct AllocationProbe(long ThreadBytes, long TotalBytes, int Gen0, int Gen1, int Gen2)
{
    public static AllocationProbe Now() => new(
        GC.GetAllocatedBytesForCurrentThread(), GC.GetTotalAllocatedBytes(precise: true),
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    public static AllocationProbe operator -(AllocationProbe after, AllocationProbe before) => new(
        after.ThreadBytes - before.ThreadBytes, after.TotalBytes - before.TotalBytes,
        after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);
}
