using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Captured steps: recorded once per batch shape from the eager ops, replayed without allocation, and equal
/// bit for bit to eager steps.</summary>
public sealed class TrainingStepTests
{
    /// <summary>A model that steers by a value it reads: what a capture cannot replay.</summary>
    private sealed class SignSwitch : Module
    {
        private readonly Linear _a;
        private readonly Linear _b;

        public SignSwitch(int seed)
        {
            var random = new Random(seed);
            _a = RegisterModule("a", new Linear(12, 4, random));
            _b = RegisterModule("b", new Linear(12, 4, random));
        }

        public override Tensor Forward(Tensor input) => input.Sum().Item() > 0 ? _a.Forward(input) : _b.Forward(input);
    }

    /// <summary>A model whose path is picked by plain C# state, which a capture cannot see.</summary>
    private sealed class Switchable : Module
    {
        private readonly Linear _a;
        private readonly Linear _b;

        public Switchable(int seed)
        {
            var random = new Random(seed);
            _a = RegisterModule("a", new Linear(12, 8, random));
            _b = RegisterModule("b", new Linear(8, 4, random));
        }

        public bool Rectify { get; set; }

        public override Tensor Forward(Tensor input)
        {
            var hidden = _a.Forward(input);
            return _b.Forward(Rectify ? hidden.Relu() : hidden);
        }
    }

    private static (Tensor Features, int[] Labels)[] Batches(int count, int features, DType dtype, params int[] sizes)
    {
        var random = new Random(7);
        var batches = new (Tensor, int[])[count];
        for (int i = 0; i < count; i++)
        {
            int rows = sizes[i % sizes.Length];
            var x = Tensor.Normal([rows, features], 0, 1, random, dtype);
            batches[i] = (x, [.. Enumerable.Range(0, rows).Select(_ => random.Next(4))]);
        }

        return batches;
    }

    private static double[] Train(TrainingStep step, (Tensor Features, int[] Labels)[] batches)
    {
        var losses = new double[batches.Length];
        for (int i = 0; i < batches.Length; i++) losses[i] = step.Run(batches[i].Features, batches[i].Labels).Loss;
        return losses;
    }

    private static void AssertSameState(Module expected, Module actual)
    {
        var a = expected.NamedState().ToList();
        var b = actual.NamedState().ToList();
        Assert.Equal(a.Select(p => p.Key), b.Select(p => p.Key));
        for (int i = 0; i < a.Count; i++) Assert.True(a[i].Value.ToDoubleArray().SequenceEqual(b[i].Value.ToDoubleArray()), $"{a[i].Key} differs");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Twenty_captured_steps_of_a_residual_module_give_the_eager_weights_bit_for_bit(DType dtype)
    {
        var eagerModel = new SmallResidualMlp(12, 3, dtype);
        var capturedModel = new SmallResidualMlp(12, 3, dtype);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new AdamW(eagerModel.Parameters()), [new L2Regularizer(1e-3)]);
        eager.Captures = false;
        var captured = TrainingStep.Capture(capturedModel, new CrossEntropyLoss(), new AdamW(capturedModel.Parameters()), [new L2Regularizer(1e-3)]);
        captured.ClipGradientNorm = eager.ClipGradientNorm = 1.0;
        var batches = Batches(20, 12, dtype, 16, 16, 16, 5);   // a partial batch every fourth step: a second capture

        Assert.Equal(Train(eager, batches), Train(captured, batches));
        AssertSameState(eagerModel, capturedModel);
        Assert.Null(captured.NotCapturedReason);
        Assert.Equal(2, captured.CapturesMade);
        Assert.Equal(18, captured.ReplayedSteps);
        Assert.Equal(20, eager.EagerSteps);
    }

    [Fact]
    public void A_captured_cnn_with_batch_norm_and_dropout_replays_fresh_masks_and_running_statistics_as_eager_steps_do()
    {
        const string architecture = "conv4k3p1-bn-relu-pool2-dropout0.25-flatten-fc8-bn-relu-dropout0.5-fc4";
        Module Build() => Architecture.Build(architecture, [1, 6, 6], new Random(5)).Model;
        var eagerModel = Build();
        var capturedModel = Build();
        var eager = new Trainer(eagerModel, new CrossEntropyLoss(), new AdamW(eagerModel.Parameters())) { CaptureSteps = false };
        var captured = new Trainer(capturedModel, new CrossEntropyLoss(), new AdamW(capturedModel.Parameters()));
        foreach (var (x, y) in Batches(20, 36, DType.Float32, 8, 8, 3))
        {
            var batch = new Nabla.Data.Batch(x, y);
            Assert.Equal(eager.Step(batch), captured.Step(batch));
        }

        AssertSameState(eagerModel, capturedModel);
        Assert.Null(captured.CapturedStep.NotCapturedReason);
        Assert.Equal(18, captured.CapturedStep.ReplayedSteps);
    }

    [Fact]
    public void A_replayed_step_allocates_nothing()
    {
        var model = new SmallResidualMlp(12, 3, DType.Float32);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01, momentum: 0.9));
        var batches = Batches(40, 12, DType.Float32, 16);

        // The capture, then replays until the runtime's first-call work (dispatch caches, tiering) is done.
        Train(step, batches[..20]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 20; i < batches.Length; i++) step.Run(batches[i].Features, batches[i].Labels);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated == 0, $"20 replayed steps allocated {allocated} bytes");
        Assert.Equal(39, step.ReplayedSteps);
    }

    [Fact]
    public void A_model_that_reads_its_values_to_choose_a_branch_is_not_replayed_and_says_why()
    {
        var eagerModel = new SignSwitch(1);
        var model = new SignSwitch(1);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new Sgd(eagerModel.Parameters(), 0.1));
        eager.Captures = false;
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var batches = Batches(10, 12, DType.Float32, 6);

        Assert.Equal(Train(eager, batches), Train(step, batches));
        AssertSameState(eagerModel, model);
        Assert.Equal(0, step.ReplayedSteps);
        Assert.Contains("outside a kernel", step.NotCapturedReason, StringComparison.Ordinal);
        Assert.Contains("SignSwitch.Forward", step.NotCapturedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Freezing_a_batch_norm_between_steps_captures_again_and_matches_eager_training()
    {
        const string architecture = "fc8-bn-relu-fc4";
        Module Build() => Architecture.Build(architecture, [12], new Random(2)).Model;
        var eagerModel = Build();
        var capturedModel = Build();
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new Sgd(eagerModel.Parameters(), 0.1));
        eager.Captures = false;
        var captured = TrainingStep.Capture(capturedModel, new CrossEntropyLoss(), new Sgd(capturedModel.Parameters(), 0.1));
        var batches = Batches(12, 12, DType.Float32, 8);
        Assert.Equal(Train(eager, batches[..6]), Train(captured, batches[..6]));
        foreach (var model in new[] { eagerModel, capturedModel }) model.NamedModules().First(m => m.Module is BatchNorm).Module.Eval();

        Assert.Equal(Train(eager, batches[6..]), Train(captured, batches[6..]));
        AssertSameState(eagerModel, capturedModel);
        Assert.Equal(2, captured.CapturesMade);
    }

    [Fact]
    public void A_loss_written_outside_the_library_trains_eagerly_and_says_so()
    {
        var model = new SmallResidualMlp(12, 3, DType.Float32);
        var step = TrainingStep.Capture(model, new SquaredLogitLoss(), new Sgd(model.Parameters(), 0.01));
        Train(step, Batches(3, 12, DType.Float32, 8));

        Assert.Equal(0, step.ReplayedSteps);
        Assert.Equal(3, step.EagerSteps);
        Assert.Contains("squared-logit", step.NotCapturedReason, StringComparison.Ordinal);
    }

    public static TheoryData<string, DType> BuiltInLosses() => new()
    {
        { "mse", DType.Float32 }, { "mse", DType.Float64 }, { "hinge", DType.Float32 }, { "huber", DType.Float64 }, { "bce", DType.Float32 },
        { "nll", DType.Float64 }, { "smoothed", DType.Float32 }, { "smoothed", DType.Float64 }, { "weighted", DType.Float32 }, { "weighted", DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(BuiltInLosses))]
    public void Every_built_in_loss_is_captured_and_replays_the_eager_weights(string name, DType dtype)
    {
        Loss NewLoss() => name switch
        {
            "smoothed" => new CrossEntropyLoss(labelSmoothing: 0.1),
            "weighted" => new CrossEntropyLoss(classWeights: [1, 2, 0.5, 3]),
            "nll" => new NegativeLogLikelihoodLoss(),
            _ => Loss.Parse(name),
        };

        var batches = Batches(8, 12, dtype, 8);
        var eagerModel = new SmallResidualMlp(12, 3, dtype);
        var eager = TrainingStep.Capture(eagerModel, NewLoss(), new Sgd(eagerModel.Parameters(), 0.05));
        eager.Captures = false;
        var capturedModel = new SmallResidualMlp(12, 3, dtype);
        var captured = TrainingStep.Capture(capturedModel, NewLoss(), new Sgd(capturedModel.Parameters(), 0.05));
        Assert.Equal(Train(eager, batches), Train(captured, batches));
        Assert.Null(captured.NotCapturedReason);
        Assert.True(captured.ReplayedSteps > 0, $"{name}: no step was replayed");
        AssertSameState(eagerModel, capturedModel);
    }

    /// <summary>A loss a user writes: the mean squared logit, whatever the labels.</summary>
    private sealed class SquaredLogitLoss : Loss
    {
        public override string Name => "squared-logit";

        protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => logits.Square().Mean();
    }

    [Fact]
    public void A_replayed_step_refuses_a_label_outside_the_classes_before_any_weight_moves()
    {
        var model = new SmallResidualMlp(12, 3, DType.Float32);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01));
        var batches = Batches(2, 12, DType.Float32, 8);
        Train(step, batches);
        var before = model.StateDict();
        var labels = (int[])batches[0].Labels.Clone();
        labels[3] = 4;

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => step.Run(batches[0].Features, labels));
        Assert.Contains("label 4 at row 3", e.Message, StringComparison.Ordinal);
        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name].ToDoubleArray(), value.ToDoubleArray());
    }

    [Fact]
    public void The_check_mode_captures_again_every_n_steps_and_trains_as_eager_steps_do()
    {
        var eagerModel = new SmallResidualMlp(12, 4, DType.Float64);
        var model = new SmallResidualMlp(12, 4, DType.Float64);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new AdamW(eagerModel.Parameters()));
        eager.Captures = false;
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new AdamW(model.Parameters()));
        step.CheckEvery = 3;
        var batches = Batches(10, 12, DType.Float64, 8);

        Assert.Equal(Train(eager, batches), Train(step, batches));
        AssertSameState(eagerModel, model);
        Assert.Equal(4, step.CapturesMade);   // steps 1, 4, 7 and 10: every third step after the capture is a check
        Assert.Equal(6, step.ReplayedSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => step.CheckEvery = 0);
    }

    [Fact]
    public void The_check_mode_fails_loudly_when_the_model_takes_another_path_than_it_was_captured_on()
    {
        var model = new Switchable(6);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        step.CheckEvery = 2;
        var batches = Batches(4, 12, DType.Float32, 8);
        Train(step, batches[..2]);   // the capture, then a replay
        model.Rectify = true;        // C# state the capture cannot see, changed without Reset()
        var before = model.StateDict();

        var e = Assert.Throws<InvalidOperationException>(() => step.Run(batches[2].Features, batches[2].Labels));
        Assert.Contains("no longer matches the model's code", e.Message, StringComparison.Ordinal);
        Assert.Contains("ReluOperator", e.Message, StringComparison.Ordinal);
        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name].ToDoubleArray(), value.ToDoubleArray());

        // The stale capture is dropped: the next step captures the new path, and training goes on.
        step.Run(batches[3].Features, batches[3].Labels);
        Assert.Equal(3, step.CapturesMade);
    }
}
