using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Plans;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>The planned training step must compute exactly what autograd computes: the same loss, the same
/// gradients, the same updates, in float64 to rounding.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class TrainingPlanTests
{
    private static (Tensor Features, int[] Labels) RandomBatch(int rows, int features, int classes, DType dtype, int seed)
    {
        var random = new Random(seed);
        var x = Tensor.Normal([rows, features], 0, 1, random, dtype);
        var labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        return (x, labels);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.LeakyRelu)]
    public void A_planned_step_gives_autograds_loss_and_gradients(Activation activation)
    {
        var spec = new MlpSpec(5, [7, 6], 4, activation, DType: DType.Float64);
        var model = new Mlp(spec, seed: 3);
        var (x, labels) = RandomBatch(9, 5, 4, DType.Float64, seed: 1);
        var loss = new CrossEntropyLoss();

        model.ZeroGrad();
        var logits = model.Forward(x);
        var expectedLoss = loss.Compute(logits, labels);
        expectedLoss.Backward();
        var expectedGradients = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.ToDoubleArray());
        int expectedCorrect = logits.ArgMax(-1).Zip(labels).Count(p => p.First == p.Second);

        var plan = TrainingPlan.TryCreate(model, loss, x);
        Assert.NotNull(plan);
        var (planLoss, planCorrect) = plan.ForwardBackward(x, labels, loss);
        Assert.Equal(expectedLoss.Item(), planLoss, 1e-12);
        Assert.Equal(expectedCorrect, planCorrect);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var planned = parameter.Grad!.ToDoubleArray();
            var expected = expectedGradients[name];
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - planned[i]) <= 1e-12, $"{activation} {name}[{i}]: planned {planned[i]}, autograd {expected[i]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_planned_step_of_a_convolutional_network_gives_autograds_gradients(int threads)
    {
        // Every planned layer kind: unflatten, convolution (fused ReLU, or a separate leaky ReLU; stride, padding,
        // dilation, groups), max pooling, flatten, linear. Three threads split the 5 images unevenly.
        var random = new Random(8);
        var model = new Sequential(
            new Unflatten(2, 9, 9),
            new Conv2d(2, 4, 3, random, padding: 1, dtype: DType.Float64), new Relu(), new MaxPool2d(2),
            new Conv2d(4, 6, 2, random, stride: 1, padding: 1, dilation: 2, groups: 2, dtype: DType.Float64), new LeakyRelu(0.1),
            new MaxPool2d(2, stride: 1),
            new Flatten(), new Linear(6 * 3 * 3, 7, random, dtype: DType.Float64), new Relu(), new Linear(7, 3, random, dtype: DType.Float64));
        var (x, labels) = RandomBatch(5, 2 * 9 * 9, 3, DType.Float64, seed: 9);
        var loss = new CrossEntropyLoss();

        model.ZeroGrad();
        var logits = model.Forward(x);
        var expectedLoss = loss.Compute(logits, labels);
        expectedLoss.Backward();
        var expected = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.ToDoubleArray());

        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = threads;
            var plan = TrainingPlan.TryCreate(model, loss, x);
            Assert.NotNull(plan);
            var (planLoss, _) = plan.ForwardBackward(x, labels, loss);
            Assert.Equal(expectedLoss.Item(), planLoss, 1e-12);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }

        foreach (var (name, parameter) in model.NamedParameters())
        {
            var planned = parameter.Grad!.ToDoubleArray();
            for (int i = 0; i < planned.Length; i++)
                Assert.True(Math.Abs(expected[name][i] - planned[i]) <= 1e-11, $"{name}[{i}]: planned {planned[i]}, autograd {expected[name][i]}");
        }
    }

    [Fact]
    public void A_planned_step_with_batch_norm_and_dropout_gives_autograds_loss_gradients_and_running_statistics()
    {
        // Two identical models (same seeds): one steps on autograd, one on its plan; the dropout layers draw the same masks.
        (Sequential Model, BatchNorm2d Norm, BatchNorm1d Norm1) Build()
        {
            var random = new Random(12);
            var norm = new BatchNorm2d(3, dtype: DType.Float64);
            var norm1 = new BatchNorm1d(5, dtype: DType.Float64);
            var model = new Sequential(
                new Unflatten(1, 6, 6), new Conv2d(1, 3, 3, random, padding: 1, dtype: DType.Float64), norm, new Relu(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.3, seed: 4), new Linear(27, 5, random, dtype: DType.Float64), norm1, new Relu(),
                new Linear(5, 3, random, dtype: DType.Float64));
            return (model, norm, norm1);
        }

        var (x, labels) = RandomBatch(6, 36, 3, DType.Float64, seed: 13);
        var loss = new CrossEntropyLoss();
        var (reference, referenceNorm, referenceNorm1) = Build();
        reference.ZeroGrad();
        var expectedLoss = loss.Compute(reference.Forward(x), labels);
        expectedLoss.Backward();

        var (planned, plannedNorm, plannedNorm1) = Build();
        var plan = TrainingPlan.TryCreate(planned, loss, x);
        Assert.NotNull(plan);
        var (planLoss, _) = plan.ForwardBackward(x, labels, loss);
        Assert.Equal(expectedLoss.Item(), planLoss, 1e-12);
        foreach (var ((name, want), (_, got)) in reference.NamedParameters().Zip(planned.NamedParameters()))
        {
            var (a, b) = (want.Grad!.ToDoubleArray(), got.Grad!.ToDoubleArray());
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-11, $"{name}[{i}]: planned {b[i]}, autograd {a[i]}");
        }

        Assert.Equal(referenceNorm.RunningMean.ToDoubleArray(), plannedNorm.RunningMean.ToDoubleArray());
        Assert.Equal(referenceNorm1.RunningVariance.ToDoubleArray(), plannedNorm1.RunningVariance.ToDoubleArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_with_plans_follows_the_same_trajectory_as_autograd_over_full_and_partial_batches(bool regularised)
    {
        var (x, labels) = RandomBatch(50, 6, 3, DType.Float64, seed: 2);
        var data = new Dataset(x, labels, 3);
        Tensor[] Train(bool plans, out long plannedSteps)
        {
            var model = new Mlp(new MlpSpec(6, [8], 3, Activation.Relu, DType: DType.Float64), seed: 5);
            Regularizer[] penalties = regularised ? [new L2Regularizer(0.01), new L1Regularizer(0.003, includeBiases: true)] : [];
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9, nesterov: true), penalties)
            {
                UseTrainingPlans = plans,
            };
            trainer.Fit(data, null, new TrainingOptions(3, 16, Seed: 7));   // 16, 16, 16 and a partial batch of 2
            plannedSteps = trainer.PlannedSteps;
            return [.. model.Parameters()];
        }

        var planned = Train(plans: true, out long stepsOnPlans);
        var autograd = Train(plans: false, out long stepsOnPlansWhenOff);
        Assert.Equal(12, stepsOnPlans);
        Assert.Equal(0, stepsOnPlansWhenOff);
        for (int p = 0; p < planned.Length; p++)
        {
            var a = planned[p].ToDoubleArray();
            var b = autograd[p].ToDoubleArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 1e-11);
        }
    }

    /// <summary>A penalty only autograd can differentiate: Ω(W) = Σ W⁴.</summary>
    private sealed class QuarticRegularizer(double strength) : Regularizer(strength, includeBiases: false)
    {
        protected override Tensor Omega(Tensor parameter) => parameter.Pow(4).Sum();
    }

    [Fact]
    public void A_regulariser_without_a_planned_gradient_falls_back_to_autograd()
    {
        var (x, labels) = RandomBatch(8, 4, 2, DType.Float32, seed: 4);
        var model = new Mlp(new MlpSpec(4, [5], 2), seed: 1);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1), [new QuarticRegularizer(1e-3)]);
        trainer.Step(new Batch(x, labels));
        Assert.Equal(0, trainer.PlannedSteps);
    }

    [Fact]
    public void A_planned_step_with_a_non_finite_loss_throws_and_leaves_the_parameters_unchanged()
    {
        var model = new Mlp(new MlpSpec(2, [3], 2), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var good = new Batch(Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [2, 2]), [0, 1]);
        trainer.Step(good);   // makes the plan
        var before = model.Parameters().Select(p => p.ToFloatArray()).ToArray();
        var bad = new Batch(Tensor.FromArray(new float[] { 1, float.NaN, 3, 4 }, [2, 2]), [0, 1]);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Step(bad));
        Assert.Contains("step 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, trainer.PlannedSteps);
        Assert.Equal(before, model.Parameters().Select(p => p.ToFloatArray()).ToArray());
    }

    [Fact]
    public void A_planned_step_rejects_a_label_outside_the_classes()
    {
        var model = new Mlp(new MlpSpec(2, [3], 2), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var batch = new Batch(Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [2, 2]), [0, 5]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(batch));
        Assert.Contains("label 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_planned_a_training_step_allocates_nothing_on_the_managed_heap()
    {
        // W1's shape of network, smaller, with an L2 penalty; one thread, so that every byte is counted on this thread.
        var (x, labels) = RandomBatch(32, 100, 10, DType.Float32, seed: 6);
        var batch = new Batch(x, labels);
        var model = new Mlp(new MlpSpec(100, [64, 32], 10, Activation.Relu), seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9), [new L2Regularizer(1e-4)]);
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            for (int i = 0; i < 20; i++) trainer.Step(batch);   // plans, momentum buffers, packing buffers
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++) trainer.Step(batch);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"50 planned steps allocated {allocated} bytes");
            Assert.Equal(70, trainer.PlannedSteps);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
