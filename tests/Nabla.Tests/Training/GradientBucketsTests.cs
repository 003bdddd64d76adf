using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>A data-parallel replay hands each bucket of gradients to the sum across the ranks as soon as the backward
/// pass has finished them (<see cref="GradientBuckets"/>, <see cref="GradientAllReduce"/>): every gradient in one
/// bucket, none touched after its bucket is handed over, and the sum made on a thread of its own gives the gradients a
/// sum after the backward pass gives.</summary>
public sealed class GradientBucketsTests
{
    private static (Tensor Features, int[] Labels) Batch(int rows, DType dtype, int seed)
    {
        var random = new Random(seed);
        return (Tensor.Normal([rows, 784], 0, 1, random, dtype), [.. Enumerable.Range(0, rows).Select(_ => random.Next(10))]);
    }

    private static Module W1(DType dtype) => Architecture.Build("fc512-relu-fc256-relu-fc10", [784], new Random(3), dtype: dtype).Model;

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void W1s_gradients_make_two_buckets_each_final_when_handed_over(DType dtype)
    {
        var model = W1(dtype);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1), [new L2Regularizer(1e-4)]);
        var (x, y) = Batch(16, dtype, 1);
        step.Run(x, y);
        var pass = step.CaptureOf(x.Shape, dtype)!;
        var buckets = pass.Buckets.Buckets;
        var kernels = pass.Recorded;

        // Every parameter's gradient travels in exactly one bucket.
        var gradients = model.Parameters().Select(p => p.Grad!).ToArray();
        var travelling = buckets.SelectMany(b => b.Gradients).ToArray();
        Assert.Equal(gradients.Length, travelling.Length);
        Assert.All(gradients, g => Assert.Contains(g, travelling));

        // No kernel after a bucket's hand-over reads or writes one of its gradients.
        foreach (var bucket in buckets)
        {
            var storages = bucket.Gradients.Select(g => (object)g.Storage).ToHashSet(ReferenceEqualityComparer.Instance);
            for (int k = bucket.AfterKernel + 1; k < kernels.Count; k++)
                Assert.DoesNotContain(kernels[k].Reads.Concat(kernels[k].Writes), s => s is not null && storages.Contains(s));
        }

        // Two buckets: the classifier's and the middle layer's (0.5 MB in float32), handed over while the first layer's
        // weight gradient is still to compute, then the first layer's.
        Assert.Equal(2, buckets.Count);
        Assert.True(buckets[0].AfterKernel < buckets[1].AfterKernel, $"the first bucket is handed over after kernel {buckets[0].AfterKernel}, the second after {buckets[1].AfterKernel}");
        Assert.Equal(4, buckets[0].Gradients.Length);
        Assert.Equal(model.Parameters().First().Count, buckets[1].Gradients.Max(g => g.Count));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Buckets_summed_on_their_own_thread_during_replays_train_as_one_process(DType dtype)
    {
        // As rank 0 of two ranks that hold the same rows: each rank's gradient weighs ½, and ½g + ½g is g exactly, so the
        // weights after replayed steps whose buckets are summed on the sum's thread must be the single process's bits.
        var alone = W1(dtype);
        var aloneStep = TrainingStep.Capture(alone, new CrossEntropyLoss(), new Sgd(alone.Parameters(), 0.1, 0.9));
        var twin = W1(dtype);
        var twinStep = TrainingStep.Capture(twin, new CrossEntropyLoss(), new Sgd(twin.Parameters(), 0.1, 0.9));
        var group = new TwinRanks();
        using var reduce = new GradientAllReduce(group) { Overlaps = true };
        for (int i = 0; i < 6; i++)
        {
            var (x, y) = Batch(16, dtype, 10 + i);
            aloneStep.Run(x, y);
            twinStep.RunShard(new Batch(x, y), new BatchShard(0, 32), reduce, stopRequested: false);
        }

        // Every bucket of every step but the capturing first went to the sum's thread during the backward pass (three a
        // step here: without a regulariser, the first layer's bias gradient is finished after its weight gradient).
        int buckets = twinStep.CaptureOf(new Shape(16, 784), dtype)!.Buckets.Buckets.Count;
        Assert.True(buckets > 1, $"{buckets} bucket");
        Assert.Equal(5 * buckets, reduce.BucketsOverlapped);
        Assert.Contains(group.Threads, id => id != Environment.CurrentManagedThreadId);
        foreach (var (a, b) in alone.Parameters().Zip(twin.Parameters()))
            Assert.Equal(a.ToDoubleArray(), b.ToDoubleArray());
    }

    /// <summary>Two ranks with the same values in one process: the sum doubles them.</summary>
    private sealed class TwinRanks : IProcessGroup
    {
        public int Rank => 0;

        public int Size => 2;

        public bool CallableFromAnyThread => true;

        public List<int> Threads { get; } = [];

        public void SumInRankOrder(Span<float> values)
        {
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            foreach (ref var v in values) v += v;
        }

        public void SumInRankOrder(Span<double> values)
        {
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
            foreach (ref var v in values) v += v;
        }

        public void Broadcast(Span<byte> bytes, int root)
        {
        }
    }
}
