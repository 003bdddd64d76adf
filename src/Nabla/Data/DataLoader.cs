namespace Nabla.Data;

/// <summary>Mini-batches over a <see cref="Dataset"/>: each call to <see cref="Epoch"/> yields one pass, reshuffled
/// (when <see cref="Shuffle"/>) from a generator seeded once, so epoch k's order depends only on the seed and k.
/// The last batch is partial when the batch size does not divide N.</summary>
public sealed class DataLoader
{
    private readonly Random _random;
    private readonly int[] _order;

    /// <summary>A loader of batches of <paramref name="batchSize"/>.</summary>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be at least 1, not {batchSize}");
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name}: the dataset is empty");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        _random = new Random(seed);
        _order = Enumerable.Range(0, dataset.Count).ToArray();
    }

    /// <summary>The data.</summary>
    public Dataset Dataset { get; }

    /// <summary>B, the size of every batch but possibly the last.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the examples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Batches per epoch: ⌈N / B⌉.</summary>
    public int BatchesPerEpoch => (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>One pass over the data.</summary>
    public IEnumerable<Batch> Epoch()
    {
        if (Shuffle) _random.Shuffle(_order);
        var order = (int[])_order.Clone();
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            var indices = order.AsSpan(start, Math.Min(BatchSize, order.Length - start));
            var labels = new int[indices.Length];
            for (int i = 0; i < indices.Length; i++) labels[i] = Dataset.Labels[indices[i]];
            yield return new Batch(Dataset.Features.IndexRows(indices), labels);
        }
    }
}
