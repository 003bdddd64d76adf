using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>Mini-batches over a <see cref="Dataset"/>: each call to <see cref="Epoch"/> yields one pass, reshuffled
/// (when <see cref="Shuffle"/>) from a generator seeded once, so epoch k's order depends only on the seed and k.
/// The last batch is partial when the batch size does not divide N.</summary>
public sealed class DataLoader
{
    private readonly Random _random;
    private readonly int[] _order;
    private readonly int[] _epochOrder;
    private Batch? _full, _partial;

    /// <summary>A loader of batches of <paramref name="batchSize"/>. With <paramref name="reuseBatches"/>, every batch
    /// is written into the same two buffers (one per batch size), so an epoch allocates nothing, but each batch is only
    /// valid until the next one is taken: for training loops that do not keep batches.</summary>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = true, int seed = 0, bool reuseBatches = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be at least 1, not {batchSize}");
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name}: the dataset is empty");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        _random = new Random(seed);
        _order = Enumerable.Range(0, dataset.Count).ToArray();
        _epochOrder = new int[dataset.Count];
        ReuseBatches = reuseBatches;
    }

    /// <summary>Whether batches share buffers (see the constructor).</summary>
    public bool ReuseBatches { get; }

    /// <summary>The data.</summary>
    public Dataset Dataset { get; }

    /// <summary>B, the size of every batch but possibly the last.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the examples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Batches per epoch: ⌈N / B⌉.</summary>
    public int BatchesPerEpoch => (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>One pass over the data, from batch <paramref name="startBatch"/> (0-based) of it: a run resumed in the
    /// middle of an epoch draws the epoch's order as before and skips the batches already trained on.</summary>
    public IEnumerable<Batch> Epoch(int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(startBatch), $"batch {startBatch} is outside the epoch's {BatchesPerEpoch}");
        return Whole(startBatch);
    }

    /// <summary>Rank <paramref name="rank"/>'s rows of each global batch of one pass (data parallelism): the same
    /// seeded order on every rank, each global batch cut into <paramref name="ranks"/> parts as equal as integers allow
    /// (<see cref="Training.BatchShard.Of"/>). A rank whose part is empty (a batch with fewer rows than ranks) gets a null
    /// batch (the trainer refuses such runs before they start).</summary>
    internal IEnumerable<BatchPart> Parts(int startBatch, int rank, int ranks)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(startBatch), $"batch {startBatch} is outside the epoch's {BatchesPerEpoch}");
        return Batches(startBatch, rank, ranks);
    }

    private IEnumerable<Batch> Whole(int startBatch)
    {
        foreach (var part in Batches(startBatch, rank: 0, ranks: 1)) yield return part.Local!;
    }

    /// <summary>Draws the orders of <paramref name="epochs"/> epochs without reading any data, leaving the loader where it
    /// would be after that many calls of <see cref="Epoch"/>: what resuming a run needs.</summary>
    public void SkipEpochs(int epochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        if (!Shuffle) return;
        for (int e = 0; e < epochs; e++) _random.Shuffle(_order);
    }

    private IEnumerable<BatchPart> Batches(int startBatch, int rank, int ranks)
    {
        if (Shuffle) _random.Shuffle(_order);
        // The order is copied so that an epoch still being read is not reshuffled under its reader by the next one
        // (into a fresh array, unless batches are reused anyway).
        var order = ReuseBatches ? _epochOrder : new int[_order.Length];
        int fullRows = Training.BatchShard.Of(BatchSize, rank, ranks).Count;
        _order.CopyTo(order, 0);
        for (int start = startBatch * BatchSize; start < order.Length; start += BatchSize)
        {
            int globalRows = Math.Min(BatchSize, order.Length - start);
            var (first, rows) = Training.BatchShard.Of(globalRows, rank, ranks);
            if (rows == 0)
            {
                yield return new BatchPart(null, first, globalRows);
                continue;
            }

            var indices = order.AsSpan(start + first, rows);
            var batch = ReuseBatches ? ReusableBatch(indices.Length, fullRows) : NewBatch(indices.Length);
            Dataset.Features.IndexRowsInto(indices, batch.Features);
            for (int i = 0; i < indices.Length; i++) batch.Labels[i] = Dataset.Labels[indices[i]];
            yield return new BatchPart(batch, first, globalRows);
        }
    }

    private Batch NewBatch(int rows)
    {
        var dims = Dataset.Features.Shape.ToArray();
        dims[0] = rows;
        // On the features' device: a dataset on a GPU makes its batches there.
        var shape = new Shape(dims);
        return new Batch(new Tensor(DeviceStorage.Allocate(Dataset.Features.Device, Dataset.Features.DType, shape.Count, zeroed: false), shape), new int[rows]);
    }

    // A rank's part of a full batch (all of it in a single process) has the same rows in every full batch, and so has
    // its part of the last, partial one: two buffers serve.
    private Batch ReusableBatch(int rows, int fullRows) => rows == fullRows
        ? _full ??= NewBatch(rows)
        : (_partial is { } p && p.Count == rows ? p : _partial = NewBatch(rows));
}

/// <summary>One rank's rows of one global batch: <see cref="Local"/> holds rows [FirstRow, FirstRow + its count) of a
/// batch of <see cref="GlobalRows"/> rows, or is null when this rank has none of them.</summary>
internal readonly record struct BatchPart(Batch? Local, int FirstRow, int GlobalRows);
