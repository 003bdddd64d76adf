namespace Nabla.Training;

/// <summary>Which rows of the global batch this rank's step holds, for the layers whose result depends on a row's place
/// in the batch rather than on its values: dropout, whose mask value n is drawn from counter n of the layer's stream.</summary>
/// <remarks>
/// <para>Rank r of N holds rows [⌊r·B/N⌋, ⌊(r+1)·B/N⌋) of each global batch of B rows. For its masks to be those of a
/// single process training on the whole batch, the rank draws counters from its first row's on, and every rank
/// advances the stream by the whole batch's count. Without a shard (one process), a layer draws from its counter on and
/// advances by its own count, as always.</para>
/// <para>With <see cref="SyncBatchNormGroup"/> set (synchronised batch norm), batch normalisation sums its statistics over
/// that group's ranks, so that every rank normalises by the whole batch's mean and variance.</para>
/// <para>Per thread: the trainer sets it around each step on the thread that runs the step (a captured step's
/// kernels read it when they replay there), and tests training other models on other threads are left alone.</para>
/// </remarks>
internal readonly record struct BatchShard(int FirstRow, int GlobalRows, IProcessGroup? SyncBatchNormGroup = null)
{
    [ThreadStatic]
    private static BatchShard? _current;

    /// <summary>The shard of the step running on this thread; null outside a data-parallel step.</summary>
    public static BatchShard? Current => _current;

    /// <summary>Rows [start, start + count) of a global batch of <paramref name="rows"/> for rank
    /// <paramref name="rank"/> of <paramref name="size"/>: as equal as integers allow, in rank order.</summary>
    public static (int Start, int Count) Of(int rows, int rank, int size)
    {
        int start = (int)((long)rows * rank / size), end = (int)((long)rows * (rank + 1) / size);
        return (start, end - start);
    }

    /// <summary>Makes <paramref name="shard"/> the current one on this thread until the result is disposed.</summary>
    public static Scope Enter(BatchShard shard)
    {
        var previous = _current;
        _current = shard;
        return new Scope(previous);
    }

    /// <summary>Puts the previous shard back.</summary>
    public readonly struct Scope(BatchShard? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _current = previous;
    }
}
