using Nabla.GradientChecking;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

public sealed class MlpTests
{
    [Fact]
    public void Parameter_count_is_the_sum_over_layers_of_weights_and_biases()
    {
        var spec = new MlpSpec(784, [512, 256], 10);
        var model = new Mlp(spec);
        long expected = (784 * 512) + 512 + (512 * 256) + 256 + (256 * 10) + 10;
        Assert.Equal(expected, model.ParameterCount());
        Assert.Equal(expected, spec.ParameterCount());
        Assert.Equal(expected, model.Summary().TotalParameters);
    }

    [Fact]
    public void Parameters_have_stable_dotted_names_in_pytorch_layout()
    {
        var model = new Mlp(new MlpSpec(4, [3], 2));
        var names = model.NamedParameters().Select(p => $"{p.Key}{p.Value.Shape}").ToArray();
        Assert.Equal(["layers.0.weight(3, 4)", "layers.0.bias(3,)", "layers.2.weight(2, 3)", "layers.2.bias(2,)"], names);
    }

    [Fact]
    public void Summary_lists_each_layer_with_its_output_shape_and_parameters()
    {
        var summary = new Mlp(new MlpSpec(64, [32, 16], 10, Activation.Tanh)).Summary();
        Assert.Equal(5, summary.Layers.Count);
        Assert.Equal(new Shape(1, 32), summary.Layers[0].OutputShape);
        Assert.Equal((64 * 32) + 32, summary.Layers[0].Parameters);
        Assert.Equal("Tanh", summary.Layers[1].Layer);
        Assert.Equal(new Shape(1, 10), summary.Layers[4].OutputShape);
        Assert.Contains("Total parameters: 2,778", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_builds_the_same_network()
    {
        var a = new Mlp(new MlpSpec(8, [5], 3), seed: 42);
        var b = new Mlp(new MlpSpec(8, [5], 3), seed: 42);
        var c = new Mlp(new MlpSpec(8, [5], 3), seed: 43);
        Assert.Equal(a.Parameters().First().ToFloatArray(), b.Parameters().First().ToFloatArray());
        Assert.NotEqual(a.Parameters().First().ToFloatArray(), c.Parameters().First().ToFloatArray());
    }

    [Fact]
    public void Linear_computes_b_plus_W_h_for_each_row()
    {
        var layer = new Linear(3, 2, new Random(0), dtype: DType.Float64);
        var h = Tensor.FromArray([1.0, 2, 3, -1, 0, 1], [2, 3]);
        var a = layer.Forward(h);
        for (int row = 0; row < 2; row++)
        {
            for (int o = 0; o < 2; o++)
            {
                double expected = layer.Bias![o];
                for (int i = 0; i < 3; i++) expected += layer.Weight[o, i] * h[row, i];
                Assert.Equal(expected, a[row, o], 12);
            }
        }

        var e = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([2, 4], DType.Float64)));
        Assert.Contains("(2, 4)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.LeakyRelu)]
    public void Every_layer_of_a_float64_network_passes_the_gradient_check(Activation activation)
    {
        var model = new Mlp(new MlpSpec(7, [6, 5], 4, activation, DType.Float64), seed: 3);
        var random = new Random(11);
        var x = Tensor.Normal([9, 7], 0, 1, random, DType.Float64);
        int[] labels = [0, 1, 2, 3, 0, 1, 2, 3, 1];
        var report = GradientChecker.Check(() => new CrossEntropyLoss().Compute(model.Forward(x), labels), model.NamedParameters());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(6, report.Parameters.Count);
    }

    [Fact]
    public void A_network_learns_xor()
    {
        var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
        int[] y = [0, 1, 1, 0];
        var model = new Mlp(new MlpSpec(2, [8], 2, Activation.Tanh), seed: 1);
        var optimizer = new Sgd(model.Parameters(), 0.5, momentum: 0.9);
        var loss = new CrossEntropyLoss();
        double last = double.NaN;
        for (int step = 0; step < 300; step++)
        {
            optimizer.ZeroGrad();
            var l = loss.Compute(model.Forward(x), y);
            l.Backward();
            optimizer.Step();
            last = l.Item();
        }

        Assert.Equal(y, model.Predict(x));
        Assert.True(last < 0.05, $"final loss {last}");
    }

    [Fact]
    public void Train_and_eval_modes_propagate_to_submodules()
    {
        var model = new Mlp(new MlpSpec(2, [3], 2));
        model.Eval();
        Assert.All(model.Layers.Modules, m => Assert.False(m.IsTraining));
        model.Train();
        Assert.All(model.Layers.Modules, m => Assert.True(m.IsTraining));
    }

    [Fact]
    public void State_dicts_round_trip_and_reject_mismatches()
    {
        var a = new Mlp(new MlpSpec(3, [4], 2), seed: 1);
        var b = new Mlp(new MlpSpec(3, [4], 2), seed: 2);
        b.LoadStateDict(a.StateDict());
        var x = Tensor.Normal([5, 3], 0, 1, new Random(0));
        Assert.Equal(a.Forward(x).ToFloatArray(), b.Forward(x).ToFloatArray());
        var wrong = new Mlp(new MlpSpec(3, [5], 2));
        var e = Assert.Throws<ArgumentException>(() => wrong.LoadStateDict(a.StateDict()));
        Assert.Contains("layers.0.weight", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Activation.LeakyRelu, "fc8-leakyrelu-fc5-leakyrelu-fc3")]
    [InlineData(Activation.Gelu, "fc8-gelu-fc5-gelu-fc3")]
    public void An_mlp_is_a_preset_of_its_architecture_string_with_the_same_layers_and_weights(Activation activation, string architecture)
    {
        var spec = new MlpSpec(6, [8, 5], 3, activation, DType.Float64, Nabla.Initialization.Initializer.Parse("xavier-uniform"));
        Assert.Equal(architecture, spec.Architecture);
        var mlp = new Mlp(spec, seed: 4);
        var (built, _) = Architecture.Build(architecture, [6], new Random(4), flatInput: false, DType.Float64, spec.Init);
        Assert.Equal(built.NamedState().Select(p => "layers." + p.Key), mlp.NamedState().Select(p => p.Key));
        foreach (var ((_, a), (_, b)) in mlp.NamedState().Zip(built.NamedState())) Assert.Equal(b.ToDoubleArray(), a.ToDoubleArray());
        Assert.Equal(built.Modules.Select(m => m.Describe()), mlp.Layers.Modules.Select(m => m.Describe()));
    }

    [Fact]
    public void Every_activation_is_made_by_its_own_architecture_word()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var module = activation.CreateModule();
            Assert.Equal(activation.ToString(), module.GetType().Name);
            Assert.Equal([activation.Word()], Architecture.Words.Where(w => w == activation.Word()));
        }
    }
}
