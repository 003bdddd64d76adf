using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Tensors;
using Nabla.Tests.Training;

namespace Nabla.Tests.NN;

/// <summary>A summary of any module: a Sequential row by row, a module of one's own from a traced forward pass, with
/// each layer's output shape and a total that is the model's parameter count.</summary>
public sealed class ModelSummaryTests
{
    [Fact]
    public void A_module_of_ones_own_is_summarised_layer_by_layer_from_a_traced_forward()
    {
        var model = new SmallResidualMlp(36, 4, DType.Float32);
        var summary = ModelSummary.Of(model, new Shape(2, 36), DType.Float32);

        string[] block0 = ["blocks.0.norm", "blocks.0.up", "blocks.0.down"], block1 = ["blocks.1.norm", "blocks.1.up", "blocks.1.down"];
        Assert.Equal(["input", .. block0, .. block1, "norm", "head", "SmallResidualMlp"], summary.Layers.Select(l => l.Name));
        Assert.Equal([8, 8, 16, 8, 8, 16, 8, 8, 4, 4], summary.Layers.Select(l => l.OutputShape[1]));
        Assert.All(summary.Layers, l => Assert.Equal(2, l.OutputShape[0]));
        Assert.Equal((36 * 8) + 8, summary.Layers[0].Parameters);
        Assert.Equal(0, summary.Layers[^1].Parameters);   // the module holds no parameter itself
        Assert.Equal(model.ParameterCount(), summary.TotalParameters);
        var text = summary.ToString();
        Assert.Contains("blocks.1.up", text, StringComparison.Ordinal);
        Assert.Contains("Linear(8 → 16)", text, StringComparison.Ordinal);
    }

    /// <summary>A module with a layer its forward never uses, and a parameter of its own.</summary>
    private sealed class Partly : Module
    {
        private readonly Linear _used;
        private readonly Tensor _scale;

        public Partly()
        {
            var random = new Random(1);
            _used = RegisterModule("used", new Linear(5, 3, random));
            RegisterModule("spare", new Linear(5, 7, random));
            _scale = RegisterParameter("scale", Tensor.Ones([3]));
        }

        public override Tensor Forward(Tensor input) => _used.Forward(input) * _scale;
    }

    [Fact]
    public void A_layer_the_forward_never_reaches_is_listed_as_not_used_and_still_counted()
    {
        var model = new Partly();
        var summary = ModelSummary.Of(model, new Shape(4, 5), DType.Float32);

        Assert.Equal(["used", "spare", "Partly"], summary.Layers.Select(l => l.Name));
        Assert.Equal([true, false, true], summary.Layers.Select(l => l.Used));
        Assert.Equal(3, summary.Layers[^1].Parameters);   // its own scale
        Assert.Equal(new Shape(4, 3), summary.Layers[^1].OutputShape);
        Assert.Equal(model.ParameterCount(), summary.TotalParameters);
        Assert.Contains("not used", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sequential_is_opened_child_by_child_activations_included()
    {
        var model = Architecture.Build("fc6-relu-fc3", [5], new Random(2)).Model;
        var summary = ModelSummary.Of(model, new Shape(1, 5), DType.Float32);

        Assert.Equal(["0", "1", "2"], summary.Layers.Select(l => l.Name));
        Assert.Equal([new Shape(1, 6), new Shape(1, 6), new Shape(1, 3)], summary.Layers.Select(l => l.OutputShape));
        Assert.Equal(model.ParameterCount(), summary.TotalParameters);
    }
}
