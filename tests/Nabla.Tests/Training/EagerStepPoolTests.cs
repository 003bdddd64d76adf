using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Eager steps take their tensors from a caching pool and give them back once the update is applied: they
/// allocate only the graph's small objects, train exactly as before, and an intermediate kept past its step is a loud
/// error, never values of a later step.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class EagerStepPoolTests
{
    private static Batch RandomBatch(int rows, int features, int classes, DType dtype, int seed)
    {
        var random = new Random(seed);
        return new Batch(Tensor.Normal([rows, features], 0, 1, random, dtype), [.. Enumerable.Range(0, rows).Select(_ => random.Next(classes))]);
    }

    [Fact]
    public void An_eager_w1_step_allocates_under_64_kilobytes()
    {
        // W1 itself (784-512-256-10, batch 128, SGD with momentum): without the pool a step allocated 2.95 MB.
        var batch = RandomBatch(128, 784, 10, DType.Float32, seed: 1);
        var model = new Mlp(new MlpSpec(784, [512, 256], 10, Activation.Relu), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9)) { CaptureSteps = false };
        using (Parallelism.Limit(1))   // every byte on this thread
        {
            for (int i = 0; i < 10; i++) trainer.Step(batch);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) trainer.Step(batch);
            long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
            Assert.True(perStep < 64 * 1024, $"an eager W1 step allocated {perStep} bytes");
            Assert.Equal(20, trainer.CapturedStep.EagerSteps);
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Pooled_eager_steps_train_as_unpooled_autograd_does(DType dtype)
    {
        // The reference is the same step written out by hand, outside any trainer (so nothing is pooled): ZeroGrad,
        // forward, loss, backward, update. Batch norm and dropout keep state across steps; 3 shapes share lengths.
        (Module Model, Optimizer Optimizer) Build()
        {
            var random = new Random(3);
            var model = new Sequential(
                new Linear(10, 12, random, dtype: dtype), new BatchNorm1d(12, dtype: dtype), new Relu(), new Dropout(0.2, seed: 5),
                new Linear(12, 4, random, dtype: dtype));
            return (model, new AdamW(model.Parameters(), 0.01));
        }

        var batches = Enumerable.Range(0, 12).Select(i => RandomBatch(i % 3 == 2 ? 5 : 8, 10, 4, dtype, seed: i)).ToArray();
        var (reference, referenceOptimizer) = Build();
        foreach (var batch in batches)
        {
            referenceOptimizer.ZeroGrad();
            new CrossEntropyLoss(labelSmoothing: 0.1).Compute(reference.Forward(batch.Features), batch.Labels).Backward();
            referenceOptimizer.Step();
        }

        var (pooled, pooledOptimizer) = Build();
        var trainer = new Trainer(pooled, new CrossEntropyLoss(labelSmoothing: 0.1), pooledOptimizer) { CaptureSteps = false };
        foreach (var batch in batches) trainer.Step(batch);
        Assert.Equal(12, trainer.CapturedStep.EagerSteps);

        foreach (var ((name, want), (_, got)) in reference.NamedState().Zip(pooled.NamedState()))
            Assert.True(want.ToDoubleArray().SequenceEqual(got.ToDoubleArray()), $"{name} differs");
    }

    /// <summary>Keeps its last hidden activation in a field past the step that made it, and a clone of it.</summary>
    private sealed class Remembering : Module
    {
        private readonly Linear _a;
        private readonly Linear _b;

        public Remembering()
        {
            var random = new Random(2);
            _a = RegisterModule("a", new Linear(6, 5, random));
            _b = RegisterModule("b", new Linear(5, 3, random));
        }

        public Tensor? LastHidden { get; private set; }

        public Tensor? LastHiddenClone { get; private set; }

        public override Tensor Forward(Tensor input)
        {
            LastHidden = _a.Forward(input).Tanh();
            LastHiddenClone = LastHidden.Clone();
            return _b.Forward(LastHidden);
        }
    }

    [Fact]
    public void An_intermediate_kept_past_its_eager_step_throws_when_read_and_a_clone_keeps_its_values()
    {
        var model = new Remembering();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1)) { CaptureSteps = false };
        var batch = RandomBatch(4, 6, 3, DType.Float32, seed: 1);
        trainer.Step(batch);
        var (kept, clone) = (model.LastHidden!, model.LastHiddenClone!);
        trainer.Step(RandomBatch(4, 6, 3, DType.Float32, seed: 2));   // would reuse the first step's arrays
        var e = Assert.Throws<InvalidOperationException>(() => kept.ToFloatArray());
        Assert.Contains("Clone()", e.Message, StringComparison.Ordinal);

        // The clone holds the hidden activation of the first batch, computed with the first step's weights.
        var fresh = new Remembering();
        fresh.Forward(batch.Features);
        Assert.Equal(fresh.LastHidden!.ToFloatArray(), clone.ToFloatArray());
    }
}
