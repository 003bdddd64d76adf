using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>A <see cref="Trainer"/> captures its steps by default; the weights must be those of eager autograd steps,
/// bit for bit, for the networks the training plans used to take (which these tests replace) and for what they did
/// not: penalties of any form, partial batches, several threads.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class CapturedTrainingTests
{
    private static (Tensor Features, int[] Labels) RandomBatch(int rows, int features, int classes, DType dtype, int seed)
    {
        var random = new Random(seed);
        var x = Tensor.Normal([rows, features], 0, 1, random, dtype);
        var labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        return (x, labels);
    }

    private static void AssertSameWeights(Module expected, Module actual, string what)
    {
        foreach (var ((name, want), (_, got)) in expected.NamedState().Zip(actual.NamedState()))
        {
            var (a, b) = (want.ToDoubleArray(), got.ToDoubleArray());
            for (int i = 0; i < a.Length; i++)
                Assert.True(a[i].Equals(b[i]), $"{what}: {name}[{i}] is {b[i]} captured and {a[i]} eager");
        }
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.LeakyRelu)]
    public void Captured_training_of_an_mlp_gives_the_eager_weights_over_full_and_partial_batches(Activation activation)
    {
        var (x, labels) = RandomBatch(50, 6, 3, DType.Float64, seed: 2);
        var data = new Dataset(x, labels, 3);
        Trainer Train(bool capture)
        {
            var model = new Mlp(new MlpSpec(6, [8, 7], 3, activation, DType: DType.Float64), seed: 5);
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9)) { CaptureSteps = capture };
            trainer.Fit(data, null, new TrainingOptions(3, 16, Seed: 7));   // 16, 16, 16 and a partial batch of 2
            return trainer;
        }

        var eager = Train(capture: false);
        var captured = Train(capture: true);
        AssertSameWeights(eager.Model, captured.Model, activation.ToString());
        Assert.Equal(2, captured.CapturedStep.CapturesMade);   // one per batch shape
        Assert.Equal(10, captured.CapturedStep.ReplayedSteps);
        Assert.Equal(12, eager.CapturedStep.EagerSteps);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Captured_training_of_a_convolutional_network_gives_the_eager_weights_on_any_thread_count(int threads)
    {
        // Every layer kind of a plain CNN: unflatten, convolution (fused ReLU, or a separate leaky ReLU; stride,
        // padding, dilation, groups), max pooling, flatten, linear. Three threads split the 5 images unevenly.
        Sequential Build()
        {
            var random = new Random(8);
            return new Sequential(
                new Unflatten(2, 9, 9),
                new Conv2d(2, 4, 3, random, padding: 1, dtype: DType.Float64), new Relu(), new MaxPool2d(2),
                new Conv2d(4, 6, 2, random, stride: 1, padding: 1, dilation: 2, groups: 2, dtype: DType.Float64), new LeakyRelu(0.1),
                new MaxPool2d(2, stride: 1),
                new Flatten(), new Linear(6 * 3 * 3, 7, random, dtype: DType.Float64), new Relu(), new Linear(7, 3, random, dtype: DType.Float64));
        }

        var batch = RandomBatch(5, 2 * 9 * 9, 3, DType.Float64, seed: 9);
        using (Parallelism.Limit(threads))
        {
            var models = new Sequential[2];
            for (int run = 0; run < 2; run++)
            {
                models[run] = Build();
                var trainer = new Trainer(models[run], new CrossEntropyLoss(), new Adam(models[run].Parameters(), 0.01)) { CaptureSteps = run == 1 };
                for (int step = 0; step < 4; step++) trainer.Step(new Batch(batch.Features, batch.Labels));
            }

            AssertSameWeights(models[0], models[1], $"{threads} threads");
        }
    }

    /// <summary>A penalty with no hand-written gradient: Ω(W) = Σ W⁴, differentiated by autograd in the capture.</summary>
    private sealed class QuarticRegularizer(double strength) : Regularizer(strength, includeBiases: false)
    {
        protected override Tensor Omega(Tensor parameter) => parameter.Pow(4).Sum();
    }

    [Fact]
    public void Penalties_are_captured_with_the_step_and_give_the_eager_weights()
    {
        var (x, labels) = RandomBatch(50, 6, 3, DType.Float64, seed: 4);
        var data = new Dataset(x, labels, 3);
        Trainer Train(bool capture)
        {
            var model = new Mlp(new MlpSpec(6, [8], 3, Activation.Relu, DType: DType.Float64), seed: 5);
            Regularizer[] penalties = [new L2Regularizer(0.01), new L1Regularizer(0.003, includeBiases: true), new QuarticRegularizer(1e-3)];
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9, nesterov: true), penalties) { CaptureSteps = capture };
            trainer.Fit(data, null, new TrainingOptions(3, 16, Seed: 7));
            return trainer;
        }

        var eager = Train(capture: false);
        var captured = Train(capture: true);
        AssertSameWeights(eager.Model, captured.Model, "penalised");
        Assert.Null(captured.CapturedStep.NotCapturedReason);
        Assert.Equal(10, captured.CapturedStep.ReplayedSteps);
    }

    [Fact]
    public void A_replayed_step_with_a_non_finite_loss_throws_and_leaves_the_parameters_unchanged()
    {
        var model = new Mlp(new MlpSpec(2, [3], 2), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var good = new Batch(Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [2, 2]), [0, 1]);
        trainer.Step(good);   // the capture
        var before = model.Parameters().Select(p => p.ToFloatArray()).ToArray();
        var bad = new Batch(Tensor.FromArray(new float[] { 1, float.NaN, 3, 4 }, [2, 2]), [0, 1]);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(bad));
        Assert.Contains("step 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, trainer.CapturedStep.ReplayedSteps);
        Assert.Equal(before, model.Parameters().Select(p => p.ToFloatArray()).ToArray());
    }

    [Fact]
    public void A_penalised_w1_shaped_step_allocates_nothing_once_captured()
    {
        // W1's shape of network, smaller, with an L2 penalty; one thread, so that every byte is counted on this thread.
        var (x, labels) = RandomBatch(32, 100, 10, DType.Float32, seed: 6);
        var batch = new Batch(x, labels);
        var model = new Mlp(new MlpSpec(100, [64, 32], 10, Activation.Relu), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9), [new L2Regularizer(1e-4)]);
        using (Parallelism.Limit(1))
        {
            for (int i = 0; i < 20; i++) trainer.Step(batch);   // the capture, momentum buffers, packing buffers, tiering
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++) trainer.Step(batch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"50 replayed steps allocated {allocated} bytes");
            Assert.Equal(69, trainer.CapturedStep.ReplayedSteps);
        }
    }
}
