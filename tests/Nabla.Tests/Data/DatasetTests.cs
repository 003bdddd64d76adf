using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void The_embedded_digits_have_1797_examples_of_64_pixels_in_ten_classes()
    {
        var digits = Digits.Load();
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.Classes);
        Assert.All(digits.Features.ToFloatArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(Enumerable.Range(0, 10), digits.Labels.Distinct().Order());
    }

    [Fact]
    public void The_digits_split_is_deterministic_and_stratified()
    {
        var (train, test) = Digits.LoadSplit();
        var (train2, test2) = Digits.LoadSplit();
        Assert.Equal(1797, train.Count + test.Count);
        Assert.Equal(test.Labels, test2.Labels);
        Assert.Equal(test.Features.ToFloatArray(), test2.Features.ToFloatArray());
        for (int c = 0; c < 10; c++)
        {
            double share = (double)test.Labels.Count(l => l == c) / (train.Labels.Count(l => l == c) + test.Labels.Count(l => l == c));
            Assert.InRange(share, 0.18, 0.22);
        }
    }

    [Fact]
    public void Datasets_reject_nan_features_and_out_of_range_labels()
    {
        var nan = Tensor.FromArray([1f, float.NaN], [2, 1]);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => new Dataset(nan, [0, 1], 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([2, 1]), [0, 2], 2));
        Assert.Throws<ArgumentException>(() => new Dataset(Tensor.Zeros([2, 1]), [0], 2));
    }

    [Fact]
    public void The_loader_yields_every_example_once_per_epoch_with_a_partial_last_batch()
    {
        var data = new Dataset(Tensor.Arange(0, 10, 1).Reshape(10, 1), Enumerable.Range(0, 10).Select(i => i % 2).ToArray(), 2);
        var loader = new DataLoader(data, batchSize: 4, shuffle: true, seed: 3);
        var epoch1 = loader.Epoch().ToList();
        Assert.Equal([4, 4, 2], epoch1.Select(b => b.Count));
        var seen = epoch1.SelectMany(b => b.Features.ToFloatArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), seen.Order());
        Assert.All(epoch1, b => Assert.Equal(b.Features.ToFloatArray().Select(v => (int)v % 2), b.Labels));

        var epoch2 = loader.Epoch().SelectMany(b => b.Features.ToFloatArray()).ToArray();
        Assert.NotEqual(seen, epoch2);
        var again = new DataLoader(data, 4, true, 3).Epoch().SelectMany(b => b.Features.ToFloatArray()).ToArray();
        Assert.Equal(seen, again);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), new DataLoader(data, 4, shuffle: false).Epoch().SelectMany(b => b.Features.ToFloatArray()));
    }

    [Fact]
    public void A_loader_that_reuses_batches_yields_the_same_batches_into_two_buffers()
    {
        var features = Tensor.Arange(0, 22).Reshape(11, 2);
        var data = new Dataset(features, Enumerable.Range(0, 11).Select(i => i % 3).ToArray(), 3);
        var fresh = new DataLoader(data, 4, shuffle: true, seed: 9);
        var reused = new DataLoader(data, 4, shuffle: true, seed: 9, reuseBatches: true);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var seen = new HashSet<Batch>(ReferenceEqualityComparer.Instance);
            foreach (var (a, b) in fresh.Epoch().Zip(reused.Epoch()))
            {
                Assert.Equal(a.Features.ToFloatArray(), b.Features.ToFloatArray());
                Assert.Equal(a.Labels, b.Labels);
                seen.Add(b);
            }

            Assert.Equal(2, seen.Count);   // 4, 4 and 3 rows: one buffer per batch size
        }
    }
}
