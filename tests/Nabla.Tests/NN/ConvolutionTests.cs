using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

/// <summary>Convolution and pooling against their definitions; the gradients are checked in the op table.</summary>
public sealed class ConvolutionTests
{
    [Theory]
    [InlineData(1, 0, 1, 1)]
    [InlineData(2, 1, 1, 1)]
    [InlineData(1, 2, 2, 1)]
    [InlineData(2, 1, 1, 2)]
    [InlineData(3, 0, 2, 3)]
    [InlineData(1, 1, 1, 1)]   // "same" padding: each kernel tap's columns are the input plane shifted (one block copy)
    [InlineData(1, 1, 1, 2)]
    public void Conv2d_matches_its_definition(int stride, int padding, int dilation, int groups)
    {
        var random = new Random((stride * 100) + (padding * 10) + dilation + (groups * 1000));
        int n = 2, c = 6, h = 9, w = 8, o = 6, k = 3;
        var x = Tensor.Normal([n, c, h, w], 0, 1, random, DType.Float64);
        var weight = Tensor.Normal([o, c / groups, k, k], 0, 1, random, DType.Float64);
        var bias = Tensor.Normal([o], 0, 1, random, DType.Float64);
        var y = x.Conv2d(weight, bias, stride, padding, dilation, groups);
        int oh = ((h + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1, ow = ((w + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        Assert.Equal(new Shape(n, o, oh, ow), y.Shape);
        int cg = c / groups, og = o / groups;
        for (int b = 0; b < n; b++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                int group = oc / og;
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias[oc];
                        for (int ic = 0; ic < cg; ic++)
                        {
                            for (int kh = 0; kh < k; kh++)
                            {
                                for (int kw = 0; kw < k; kw++)
                                {
                                    int iy = (i * stride) - padding + (kh * dilation), ix = (j * stride) - padding + (kw * dilation);
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    sum += weight[oc, ic, kh, kw] * x[b, (group * cg) + ic, iy, ix];
                                }
                            }
                        }

                        Assert.Equal(sum, y[b, oc, i, j], 1e-10);
                    }
                }
            }
        }
    }

    [Fact]
    public void Max_pooling_takes_each_window_maximum_and_sends_a_tie_gradient_to_the_first_maximum_only()
    {
        // Two 2×2 windows: one with a unique maximum, one with all four values tied.
        var x = Tensor.FromArray(new double[] { 1, 5, 7, 7, 2, 3, 7, 7 }, [1, 1, 2, 4]);
        x.RequiresGrad = true;
        var y = x.MaxPool2d(2);
        Assert.Equal([5.0, 7.0], y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([0.0, 1, 1, 0, 0, 0, 0, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Overlapping_max_windows_add_their_gradients_on_a_shared_maximum()
    {
        var x = Tensor.FromArray(new double[] { 0, 9, 0, 0, 0, 0, 0, 0, 0 }, [1, 1, 3, 3]);
        x.RequiresGrad = true;
        x.MaxPool2d(2, stride: 1).Sum().Backward();   // the 9 is the maximum of the two upper windows
        Assert.Equal(2.0, x.Grad![0, 0, 0, 1]);
    }

    [Fact]
    public void Average_pooling_counts_padding_as_zeros()
    {
        var x = Tensor.Ones([1, 1, 2, 2], DType.Float64);
        var y = x.AvgPool2d(2, stride: 2, padding: 1);   // each corner window holds one 1 and three zeros of padding
        Assert.Equal([0.25, 0.25, 0.25, 0.25], y.ToDoubleArray());
    }

    [Fact]
    public void Global_average_pooling_averages_each_channel_over_all_positions()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (double)i).ToArray(), [2, 2, 2, 2]);
        var y = new GlobalAvgPool2d().Forward(x);
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([1.5, 5.5, 9.5, 13.5], y.ToDoubleArray());
    }

    [Fact]
    public void The_W4_network_has_PyTorchs_parameter_count_and_output_shape()
    {
        var random = new Random(0);
        var network = new Sequential(
            new Conv2d(1, 32, 3, random, padding: 1), new Relu(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, random, padding: 1), new Relu(), new MaxPool2d(2),
            new Flatten(), new Linear(3136, 128, random), new Relu(), new Linear(128, 10, random));
        Assert.Equal(421_642, network.ParameterCount());   // torch: sum(p.numel() for p in net.parameters())
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"], network.NamedParameters().Select(p => p.Key));
        var logits = network.Forward(Tensor.Uniform([4, 1, 28, 28], 0, 1, random));
        Assert.Equal(new Shape(4, 10), logits.Shape);
        var loss = new CrossEntropyLoss().Compute(logits, [1, 2, 3, 4]);
        loss.Backward();
        Assert.All(network.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Theory]
    [InlineData("input", "(N, 3, H, W)")]
    [InlineData("groups", "groups")]
    [InlineData("window", "does not fit")]
    public void Bad_convolution_arguments_are_reported_with_the_shapes(string what, string expected)
    {
        var random = new Random(1);
        var e = Assert.ThrowsAny<ArgumentException>(() =>
        {
            switch (what)
            {
                case "input": new Conv2d(3, 4, 3, random).Forward(Tensor.Zeros([2, 2, 5, 5])); break;
                case "groups": _ = new Conv2d(3, 4, 3, random, groups: 2); break;
                default: new Conv2d(3, 4, 5, random).Forward(Tensor.Zeros([1, 3, 3, 3])); break;
            }
        });
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
