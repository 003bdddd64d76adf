using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Benchmarks;

/// <summary>The workloads of DESIGN.md that the one-engine work (issue 12) added: W5, the README's deeper batch-norm CNN, and W6, a residual MLP written as a custom module. Both
/// train with AdamW at lr 1e-3 on batches of 128 Fashion-MNIST images, timed by <see cref="CnnTrainingWorkload.Run"/>.</summary>
internal static class EngineWorkloads
{
    /// <summary>W5's architecture, as the README trains it.</summary>
    public const string W5Architecture =
        "conv32k3p1-bn-relu-conv32k3p1-bn-relu-pool2-dropout0.25-conv64k3p1-bn-relu-conv64k3p1-bn-relu-pool2-dropout0.25-flatten-fc256-bn-relu-dropout0.5-fc10";

    /// <summary>W5: the architecture above on 1×28×28 images given as 784-pixel rows, AdamW (weight decay 0.01).</summary>
    public static Trainer CreateW5(int seed)
    {
        var (model, _) = Architecture.Build(W5Architecture, [1, 28, 28], new Random(seed));
        return new Trainer(model, new CrossEntropyLoss(), new AdamW(model.Parameters(), 1e-3, weightDecay: 0.01));
    }

    /// <summary>W6: 784 → Linear 512 → 4 × [x + Linear(1024→512)(GELU(Linear(512→1024)(LayerNorm(x))))] → LayerNorm →
    /// Linear 10, as a user would write it: a <see cref="Module"/> of its own, not a <see cref="Sequential"/>.</summary>
    public static Trainer CreateW6(int seed)
    {
        var model = new ResidualMlp(784, 512, 1024, blocks: 4, classes: 10, new Random(seed));
        return new Trainer(model, new CrossEntropyLoss(), new AdamW(model.Parameters(), 1e-3, weightDecay: 0.01));
    }

    /// <summary>A residual MLP with pre-normalised blocks, x + W₂·GELU(W₁·LN(x)), written as user code.</summary>
    private sealed class ResidualMlp : Module
    {
        private readonly Linear _input;
        private readonly ModuleList _blocks;
        private readonly LayerNorm _norm;
        private readonly Linear _output;

        public ResidualMlp(int inputs, int width, int hidden, int blocks, int classes, Random random)
        {
            _input = RegisterModule("input", new Linear(inputs, width, random));
            _blocks = RegisterModule("blocks", new ModuleList(Enumerable.Range(0, blocks).Select(_ => new ResidualBlock(width, hidden, random))));
            _norm = RegisterModule("norm", new LayerNorm(width));
            _output = RegisterModule("output", new Linear(width, classes, random));
        }

        public override Tensor Forward(Tensor input)
        {
            var x = _input.Forward(input);
            foreach (var block in _blocks) x = block.Forward(x);
            return _output.Forward(_norm.Forward(x));
        }
    }

    /// <summary>x + Linear(hidden → width)(GELU(Linear(width → hidden)(LayerNorm(x)))).</summary>
    private sealed class ResidualBlock : Module
    {
        private readonly LayerNorm _norm;
        private readonly Linear _up;
        private readonly Linear _down;

        public ResidualBlock(int width, int hidden, Random random)
        {
            _norm = RegisterModule("norm", new LayerNorm(width));
            _up = RegisterModule("up", new Linear(width, hidden, random));
            _down = RegisterModule("down", new Linear(hidden, width, random));
        }

        public override Tensor Forward(Tensor input) => input + _down.Forward(_up.Forward(_norm.Forward(input)).Gelu());
    }
}
