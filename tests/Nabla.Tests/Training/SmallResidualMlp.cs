using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.Training;

/// <summary>W6 in small, written as user code: an input layer to 8 features, two x + W₂·GELU(W₁·LN(x)) blocks in a
/// <see cref="ModuleList"/>, a layer norm and a 4-class head.</summary>
internal sealed class SmallResidualMlp : Module
{
    private readonly Linear _input;
    private readonly ModuleList _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    public SmallResidualMlp(int inputs, int seed, DType dtype)
    {
        var random = new Random(seed);
        _input = RegisterModule("input", new Linear(inputs, 8, random, dtype: dtype));
        _blocks = RegisterModule("blocks", new ModuleList([new Block(random, dtype), new Block(random, dtype)]));
        _norm = RegisterModule("norm", new LayerNorm(8, dtype: dtype));
        _head = RegisterModule("head", new Linear(8, 4, random, dtype: dtype));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = _input.Forward(input);
        foreach (var block in _blocks) x = block.Forward(x);
        return _head.Forward(_norm.Forward(x));
    }

    private sealed class Block : Module
    {
        private readonly LayerNorm _norm;
        private readonly Linear _up;
        private readonly Gelu _gelu = new();
        private readonly Linear _down;

        public Block(Random random, DType dtype)
        {
            _norm = RegisterModule("norm", new LayerNorm(8, dtype: dtype));
            _up = RegisterModule("up", new Linear(8, 16, random, dtype: dtype));
            RegisterModule("gelu", _gelu);
            _down = RegisterModule("down", new Linear(16, 8, random, dtype: dtype));
        }

        public override Tensor Forward(Tensor input) => input + _down.Forward(_gelu.Forward(_up.Forward(_norm.Forward(input))));
    }
}
