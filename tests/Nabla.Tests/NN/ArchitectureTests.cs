using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
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

    // Untrusted descriptions (model.json, docs/fuzzing.md): sizes are checked in 64-bit arithmetic, against caps, before
    // any layer is allocated.

    [Theory]
    [InlineData("conv1k1p1073741823", "would hold more than 268435456 values")]
    [InlineData("conv1k2147483647p1073741823", "more than 1073741824 parameters and buffers")]
    [InlineData("conv1k3d2147483647", "does not fit")]
    [InlineData("conv1k1p50000-flatten", "would hold more than 268435456 values")]
    [InlineData("conv4096k4096p2046", "more than 1073741824 parameters and buffers")]
    [InlineData("flatten-fc200000000", "more than 1073741824 parameters and buffers")]
    [InlineData("flatten-fc2147483647", "would hold more than 268435456 values")]
    [InlineData("pool1s1-conv65536k1p8191-bn", "would hold more than 268435456 values")]
    [InlineData("dropout1.0.0", "dropout probability")]
    [InlineData("conv99999999999k3", "not a valid size")]
    public void Huge_or_overflowing_sizes_are_refused_before_allocating(string description, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => Architecture.Build(description, [1, 28, 28], new Random(0)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, e.Message);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 1, 28 })]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 3, -1, 4 })]
    [InlineData(new[] { 1, 65536, 65536 })]
    public void Bad_example_shapes_are_refused(int[] shape) =>
        Assert.Contains("example shape", Assert.Throws<ArgumentException>(() => Architecture.Check("relu", shape)).Message, StringComparison.Ordinal);

    [Fact]
    public void Check_counts_what_build_allocates()
    {
        foreach (var (description, shape) in new (string, int[])[] { (W4, [1, 28, 28]), ("conv6k5g3-bn-swish-pool3s2-flatten-linear7-bn", [3, 12, 12]), ("fc5-bn-fc2", [3]) })
        {
            var (output, state) = Architecture.Check(description, shape);
            var (model, built) = Architecture.Build(description, shape, new Random(0));
            Assert.Equal(built, output);
            Assert.Equal(model.NamedState().Sum(p => (long)p.Value.Count), state);
        }
    }
}
