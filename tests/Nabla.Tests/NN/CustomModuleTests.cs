using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.NN;

/// <summary>Modules written by users: a list of blocks with names, and the registration a user can forget.</summary>
public sealed class CustomModuleTests
{
    private sealed class Block : Module
    {
        private readonly Linear _linear;

        public Block(Random random) => _linear = RegisterModule("linear", new Linear(4, 4, random));

        public override Tensor Forward(Tensor input) => input + _linear.Forward(input).Tanh();
    }

    private sealed class Stack : Module
    {
        private readonly ModuleList _blocks;

        public Stack(Random random) => _blocks = RegisterModule("blocks", new ModuleList([new Block(random), new Block(random)]));

        public override Tensor Forward(Tensor input)
        {
            foreach (var block in _blocks) input = block.Forward(input);
            return input;
        }
    }

    /// <summary>The mistake: blocks kept in an array, never registered.</summary>
    private sealed class ForgetfulStack : Module
    {
        private readonly Block[] _blocks;
        private readonly Linear _head;

        public ForgetfulStack(Random random)
        {
            _blocks = [new Block(random), new Block(random)];
            _head = RegisterModule("head", new Linear(4, 3, random));
        }

        public override Tensor Forward(Tensor input) => _head.Forward(_blocks.Aggregate(input, (x, b) => b.Forward(x)));
    }

    /// <summary>A parameter made by hand and kept in a field, never registered.</summary>
    private sealed class LooseScale : Module
    {
        private readonly Tensor _scale = Tensor.Ones([4]);

        public LooseScale() => _scale.RequiresGrad = true;

        public override Tensor Forward(Tensor input) => input * _scale;
    }

    /// <summary>Tied weights: the head holds the encoder's own module, registered once, under the encoder.</summary>
    private sealed class Tied : Module
    {
        private readonly Linear _encoder;
        private readonly Linear _alias;

        public Tied(Random random)
        {
            _encoder = RegisterModule("encoder", new Linear(4, 4, random));
            _alias = _encoder;
        }

        public override Tensor Forward(Tensor input) => _alias.Forward(_encoder.Forward(input));
    }

    [Fact]
    public void A_module_list_names_its_members_by_index_and_gives_their_parameters_to_the_optimiser()
    {
        var model = new Stack(new Random(0));
        Assert.Equal(["blocks.0.linear.weight", "blocks.0.linear.bias", "blocks.1.linear.weight", "blocks.1.linear.bias"], model.NamedParameters().Select(p => p.Key));
        Assert.Equal(2, ((ModuleList)model.NamedChildren().Single().Value).Count);
        Assert.Throws<NotSupportedException>(() => new ModuleList().Forward(Tensor.Ones([1, 4])));
        var before = model.Parameters().Select(p => p.ToFloatArray()).ToList();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        trainer.Step(new Nabla.Data.Batch(Tensor.Ones([2, 4]), [0, 1]));
        Assert.All(model.Parameters().Zip(before), p => Assert.False(p.First.ToFloatArray().SequenceEqual(p.Second)));
    }

    [Fact]
    public void A_module_dict_names_its_members_as_given_in_order_and_refuses_a_name_twice()
    {
        var random = new Random(0);
        var heads = new ModuleDict([new("digits", new Linear(4, 10, random)), new("letters", new Linear(4, 26, random))]);
        Assert.Equal(["digits", "letters"], heads.Keys);
        Assert.Equal(["digits.weight", "digits.bias", "letters.weight", "letters.bias"], heads.NamedParameters().Select(p => p.Key));
        Assert.Equal(new Shape(2, 26), heads["letters"].Forward(Tensor.Ones([2, 4])).Shape);
        Assert.Throws<ArgumentException>(() => heads.Add("digits", new Linear(4, 2, random)));
        Assert.Throws<ArgumentException>(() => heads.Add("a.b", new Linear(4, 2, random)));
        Assert.Contains("digits, letters", Assert.Throws<KeyNotFoundException>(() => heads["greek"]).Message, StringComparison.Ordinal);
        Assert.Equal(2, heads.Count);
    }

    [Fact]
    public void Modules_kept_in_a_field_without_registration_are_refused_before_the_first_step_naming_the_field()
    {
        var forgetful = new ForgetfulStack(new Random(0));
        var e = Assert.Throws<InvalidOperationException>(() => new Trainer(forgetful, new CrossEntropyLoss(), new Sgd(forgetful.Parameters(), 0.1)));
        Assert.Equal("ForgetfulStack: field 'blocks' holds a Block that is not registered, so its parameters would never be trained: assign it with RegisterModule(\"blocks\", …) (or keep several in a ModuleList)", e.Message);

        var loose = new Sequential(new Linear(4, 4, new Random(0)), new LooseScale());
        var p = Assert.Throws<InvalidOperationException>(() => ModuleRegistration.ThrowIfUnregistered(loose));
        Assert.StartsWith("LooseScale at '1': field 'scale' holds a tensor that requires gradients but is not a registered parameter", p.Message, StringComparison.Ordinal);

        ModuleRegistration.ThrowIfUnregistered(new Tied(new Random(0)));   // registered once, held twice: fine
        ModuleRegistration.ThrowIfUnregistered(new Stack(new Random(0)));
        ModuleRegistration.ThrowIfUnregistered(Architecture.Build("conv4k3p1-bn-relu-pool2-dropout0.5-flatten-fc10", [1, 8, 8], new Random(0)).Model);
        ModuleRegistration.ThrowIfUnregistered(new Mlp(new MlpSpec(4, [8], 3, Activation.Gelu), seed: 0));
    }
}
