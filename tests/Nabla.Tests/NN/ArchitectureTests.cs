using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Plans;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

public sealed class ArchitectureTests
{
    private const string W4 = "conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10";

    [Fact]
    public void The_W4_description_builds_W4_on_flat_fashion_mnist_rows()
    {
        var (model, output) = Architecture.Build(W4, [1, 28, 28], new Random(0));
        Assert.Equal([10], output);
        Assert.Equal(421_642, model.ParameterCount());
        Assert.IsType<Unflatten>(model.Modules[0]);
        Assert.Equal(11, model.Modules.Count);
        var x = Tensor.Uniform([3, 784], 0, 1, new Random(1));
        Assert.Equal(new Shape(3, 10), model.Forward(x).Shape);
        Assert.NotNull(TrainingPlan.TryCreate(model, new CrossEntropyLoss(), x));   // every layer has a plan
    }

    [Fact]
    public void Options_shapes_and_every_layer_kind_follow_the_description()
    {
        var (model, output) = Architecture.Build("CONV8k3s2p1d1g1-leakyrelu-maxpool2s1-conv8k1g2-tanh-avgpool2-gap-linear5-sigmoid-fc3", [4, 12, 12], new Random(0), flatInput: false);
        Assert.Equal([3], output);
        var conv = Assert.IsType<Conv2d>(model.Modules[0]);
        Assert.Equal((4, 8, 3, 2, 1, 1, 1), (conv.InChannels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation, conv.Groups));
        Assert.Equal(2, Assert.IsType<Conv2d>(model.Modules[3]).Groups);
        Assert.Equal(new Shape(2, 3), model.Forward(Tensor.Uniform([2, 4, 12, 12], 0, 1, new Random(2))).Shape);
    }

    [Fact]
    public void A_feature_input_builds_a_plain_multilayer_perceptron()
    {
        var (model, output) = Architecture.Build("fc16-relu-fc4", [64], new Random(0));
        Assert.Equal([4], output);
        Assert.Equal((64 * 16) + 16 + (16 * 4) + 4, model.ParameterCount());
    }

    [Theory]
    [InlineData("conv32k3-relu-fc10", "layer 3 'fc10'", "add 'flatten'")]
    [InlineData("conv32-relu", "layer 1 'conv32'", "unknown layer")]
    [InlineData("conv32k3--relu", "empty layer", "'-'")]
    [InlineData("conv32k30", "layer 1", "does not fit the 28×28 input")]
    [InlineData("conv30k3g4", "layer 1", "groups")]
    [InlineData("flatten-pool2", "layer 2 'pool2'", "needs (C, H, W) images")]
    [InlineData("conv0k3", "conv0k3", "not a valid size")]
    [InlineData("softmax", "layer 1 'softmax'", "unknown layer")]
    public void A_bad_description_names_the_layer_and_the_problem(string description, string where, string what)
    {
        var e = Assert.Throws<ArgumentException>(() => Architecture.Build(description, [1, 28, 28], new Random(0)));
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }
}
