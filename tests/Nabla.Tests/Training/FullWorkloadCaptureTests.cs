using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>The workloads' own networks, not small stand-ins: W1 (784-512-256-10, SGD with momentum), W5 (the README's
/// batch-norm CNN with dropout, AdamW) and W6 (the residual MLP written as a module, AdamW), 20 steps captured against
/// 20 eager steps, bit for bit, in float32 and float64. Batches of 16 random 28×28 images keep the float64 convolutions
/// quick; a last batch of 9 is a second shape.</summary>
public sealed class FullWorkloadCaptureTests
{
    private const string W5 = "conv32k3p1-bn-relu-conv32k3p1-bn-relu-pool2-dropout0.25-conv64k3p1-bn-relu-conv64k3p1-bn-relu-pool2-dropout0.25-flatten-fc256-bn-relu-dropout0.5-fc10";

    private static (Module Model, Optimizer Optimizer) Build(string workload, DType dtype)
    {
        Module model = workload switch
        {
            "W1" => Architecture.Build("fc512-relu-fc256-relu-fc10", [784], new Random(0), dtype: dtype).Model,
            "W5" => Architecture.Build(W5, [1, 28, 28], new Random(0), dtype: dtype).Model,
            _ => new ResidualMlp(dtype),
        };
        Optimizer optimizer = workload == "W1" ? new Sgd(model.Parameters(), 0.05, momentum: 0.9) : new AdamW(model.Parameters(), 1e-3, weightDecay: 0.01);
        return (model, optimizer);
    }

    [Theory]
    [InlineData("W1", DType.Float32)]
    [InlineData("W1", DType.Float64)]
    [InlineData("W5", DType.Float32)]
    [InlineData("W5", DType.Float64)]
    [InlineData("W6", DType.Float32)]
    [InlineData("W6", DType.Float64)]
    public void Twenty_captured_steps_of_the_workload_give_the_eager_weights(string workload, DType dtype)
    {
        var random = new Random(11);
        var batches = Enumerable.Range(0, 20).Select(i =>
        {
            int rows = i == 19 ? 9 : 16;
            return (Tensor.Uniform([rows, 784], 0, 1, random, dtype), Enumerable.Range(0, rows).Select(_ => random.Next(10)).ToArray());
        }).ToArray();

        var (eagerModel, eagerOptimizer) = Build(workload, dtype);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), eagerOptimizer);
        eager.Captures = false;
        var (capturedModel, capturedOptimizer) = Build(workload, dtype);
        var captured = TrainingStep.Capture(capturedModel, new CrossEntropyLoss(), capturedOptimizer);
        foreach (var (x, y) in batches) Assert.Equal(eager.Run(x, y).Loss, captured.Run(x, y).Loss);

        Assert.Null(captured.NotCapturedReason);
        Assert.Equal((2, 18L), (captured.CapturesMade, captured.ReplayedSteps));
        foreach (var ((name, want), (_, got)) in eagerModel.NamedState().Zip(capturedModel.NamedState()))
            Assert.True(want.ToDoubleArray().SequenceEqual(got.ToDoubleArray()), $"{workload} {dtype}: {name} differs");
    }

    /// <summary>W6: 784 → Linear 512 → 4 × [x + Linear(1024→512)(GELU(Linear(512→1024)(LayerNorm(x))))] → LayerNorm → Linear 10.</summary>
    private sealed class ResidualMlp : Module
    {
        private readonly Linear _input, _output;
        private readonly ModuleList _blocks;
        private readonly LayerNorm _norm;

        public ResidualMlp(DType dtype)
        {
            var random = new Random(0);
            _input = RegisterModule("input", new Linear(784, 512, random, dtype: dtype));
            _blocks = RegisterModule("blocks", new ModuleList(Enumerable.Range(0, 4).Select(_ => new Block(random, dtype))));
            _norm = RegisterModule("norm", new LayerNorm(512, dtype: dtype));
            _output = RegisterModule("output", new Linear(512, 10, random, dtype: dtype));
        }

        public override Tensor Forward(Tensor input)
        {
            var x = _input.Forward(input);
            foreach (var block in _blocks) x = block.Forward(x);
            return _output.Forward(_norm.Forward(x));
        }

        private sealed class Block : Module
        {
            private readonly LayerNorm _norm;
            private readonly Linear _up, _down;

            public Block(Random random, DType dtype)
            {
                _norm = RegisterModule("norm", new LayerNorm(512, dtype: dtype));
                _up = RegisterModule("up", new Linear(512, 1024, random, dtype: dtype));
                _down = RegisterModule("down", new Linear(1024, 512, random, dtype: dtype));
            }

            public override Tensor Forward(Tensor x) => x + _down.Forward(_up.Forward(_norm.Forward(x)).Gelu());
        }
    }
}
