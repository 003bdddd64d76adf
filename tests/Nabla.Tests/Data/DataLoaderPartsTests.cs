using Nabla.Data;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Data;

/// <summary>The rows each rank of a data-parallel run trains on: together, in rank order, exactly the batches one
/// process would see.</summary>
public sealed class DataLoaderPartsTests
{
    [Theory]
    [InlineData(128, 2)]
    [InlineData(128, 3)]
    [InlineData(30, 7)]
    [InlineData(1, 4)]
    public void Shards_cover_the_batch_in_rank_order_as_equal_as_integers_allow(int rows, int ranks)
    {
        int next = 0;
        for (int r = 0; r < ranks; r++)
        {
            var (start, count) = BatchShard.Of(rows, r, ranks);
            Assert.Equal(next, start);
            Assert.InRange(count, rows / ranks, (rows / ranks) + 1);
            next = start + count;
        }

        Assert.Equal(rows, next);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void The_ranks_parts_of_two_epochs_are_the_single_process_batches(int ranks)
    {
        // 23 examples in batches of 4: five full batches and one of 3, which 5 ranks cannot all share.
        var features = Tensor.FromArray(Enumerable.Range(0, 23 * 2).Select(i => (float)i).ToArray(), new Shape([23, 2]));
        var data = new Dataset(features, Enumerable.Range(0, 23).Select(i => i % 3).ToArray(), 3);
        var whole = new DataLoader(data, 4, shuffle: true, seed: 5);
        var loaders = Enumerable.Range(0, ranks).Select(_ => new DataLoader(data, 4, shuffle: true, seed: 5, reuseBatches: true)).ToArray();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batches = whole.Epoch().Select(b => b.Features.ToFloatArray()).ToList();
            var parts = loaders.Select((l, r) => l.Parts(0, r, ranks).Select(p => (p.Local?.Features.ToFloatArray() ?? [], p.FirstRow, p.GlobalRows)).ToList()).ToArray();
            for (int b = 0; b < batches.Count; b++)
            {
                var joined = parts.SelectMany(p => p[b].Item1).ToArray();
                Assert.Equal(batches[b], joined);
                Assert.All(parts, p => Assert.Equal(batches[b].Length / 2, p[b].GlobalRows));
                Assert.Equal(Enumerable.Range(0, ranks).Select(r => BatchShard.Of(batches[b].Length / 2, r, ranks).Start), parts.Select(p => p[b].FirstRow));
            }
        }
    }
}
