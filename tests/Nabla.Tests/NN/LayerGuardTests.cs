using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

/// <summary>Every layer refuses an input of the wrong shape, rank or dtype at its own Forward, naming itself and the shape.</summary>
public sealed class LayerGuardTests
{
    [Fact]
    public void Linear_names_its_widths_and_the_shape_it_got()
    {
        var layer = new Linear(64, 10, new Random(0));
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([4, 63])), "Linear(64 → 10)", "(B, 64)", "(4, 63)");
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Scalar(1)), "Linear(64 → 10)", "()");
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([4, 64], DType.Float64)), "Linear(64 → 10)", "float32", "float64");
        Guard.Throws<ArgumentNullException>(() => layer.Forward(null!));
    }

    [Fact]
    public void Conv2d_names_its_channels_and_the_shape_it_got()
    {
        var layer = new Conv2d(1, 8, 3, new Random(0), padding: 1);
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([2, 3, 8, 8])), "Conv2d(1 → 8", "(N, 1, H, W)", "(2, 3, 8, 8)");
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([2, 64])), "Conv2d(1 → 8", "(2, 64)");
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([2, 1, 8, 8], DType.Float64)), "float32", "float64");
        var unpadded = new Conv2d(1, 8, 5, new Random(0));
        Guard.Throws<ArgumentException>(() => unpadded.Forward(Tensor.Zeros([2, 1, 3, 3])), "(2, 1, 3, 3)");
    }

    [Fact]
    public void Batch_norm_names_its_channels_and_the_shape_it_got()
    {
        var norm1d = new BatchNorm1d(16);
        Guard.Throws<ArgumentException>(() => norm1d.Forward(Tensor.Zeros([4, 15])), "BatchNorm1d(16)", "(N, 16)", "(4, 15)");
        Guard.Throws<ArgumentException>(() => norm1d.Forward(Tensor.Zeros([4, 16, 2, 2])), "BatchNorm1d(16)", "(4, 16, 2, 2)");
        Guard.Throws<ArgumentException>(() => norm1d.Forward(Tensor.Zeros([1, 16])), "more than one value per channel", "(1, 16)");
        var norm2d = new BatchNorm2d(3);
        Guard.Throws<ArgumentException>(() => norm2d.Forward(Tensor.Zeros([4, 3])), "BatchNorm2d(3)", "(N, 3, H, W)", "(4, 3)");
        Guard.Throws<ArgumentException>(() => norm2d.Forward(Tensor.Zeros([4, 2, 5, 5])), "BatchNorm2d(3)", "(4, 2, 5, 5)");
        norm2d.Eval();
        Guard.Throws<ArgumentException>(() => norm2d.Forward(Tensor.Zeros([4, 2, 5, 5])), "BatchNorm2d(3)", "(4, 2, 5, 5)");
        Guard.Throws<ArgumentException>(() => norm2d.Forward(Tensor.Zeros([4, 3, 5, 5], DType.Float64)), "float32", "float64");
    }

    [Fact]
    public void Layer_norm_names_its_width_and_the_shape_it_got()
    {
        var layer = new LayerNorm(16);
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros([4, 15])), "LayerNorm(16)", "16", "(4, 15)");
        Guard.Throws<ArgumentException>(() => layer.Forward(Tensor.Scalar(0)), "LayerNorm(16)", "()");
    }

    [Fact]
    public void Pooling_and_flattening_name_the_shape_they_got()
    {
        Guard.Throws<ArgumentException>(() => new MaxPool2d(2).Forward(Tensor.Zeros([4, 64])), "(N, C, H, W)", "(4, 64)");
        Guard.Throws<ArgumentException>(() => new MaxPool2d(4).Forward(Tensor.Zeros([4, 1, 3, 3])), "(4, 1, 3, 3)");
        Guard.Throws<ArgumentException>(() => new AvgPool2d(2).Forward(Tensor.Zeros([4, 64])), "(N, C, H, W)", "(4, 64)");
        Guard.Throws<ArgumentException>(() => new GlobalAvgPool2d().Forward(Tensor.Zeros([4, 64])), "(4, 64)");
        Guard.Throws<ArgumentException>(() => new Flatten().Forward(Tensor.Zeros([4])), "(4,)");
        Guard.Throws<ArgumentException>(() => new Unflatten(1, 8, 8).Forward(Tensor.Zeros([4, 63])), "Unflatten(1, 8, 8)", "(B, 64)", "(4, 63)");
        Guard.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, stride: 0), "stride", "0");
        Guard.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, padding: 2), "padding", "2");
        Guard.Throws<ArgumentOutOfRangeException>(() => new AvgPool2d(3, padding: -1), "padding", "-1");
    }

    [Fact]
    public void A_window_wider_than_the_input_gives_no_output_rather_than_one()
    {
        // (3 − 4)/4 + 1 truncates to 1 in C#; the floor is 0, and a window that does not fit is refused.
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 3, 3]).MaxPool2d(4));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 3, 3]).AvgPool2d(4));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([1, 1, 3, 3]).Conv2d(Tensor.Zeros([1, 1, 4, 4]), stride: 4));
        Guard.Throws<ArgumentException>(() => Architecture.Build("pool4", [1, 3, 3], new Random(0)), "pool4", "3×3");
        Guard.Throws<ArgumentException>(() => Architecture.Build("conv2k4s4", [1, 3, 3], new Random(0)), "conv2k4s4", "3×3");
    }

    [Fact]
    public void An_mlp_names_its_input_width_and_the_shape_it_got()
    {
        var model = new Mlp(new MlpSpec(64, [32], 10));
        Guard.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([4, 63])), "Mlp(64 → 32 → 10", "(B, 64)", "(4, 63)");
        Guard.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([64])), "(B, 64)", "(64,)");
        Guard.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([4, 1, 64])), "(B, 64)", "(4, 1, 64)");
        Guard.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([4, 64], DType.Float64)), "float32", "float64");
        Guard.Throws<ArgumentException>(() => model.Predict(Tensor.Zeros([4, 63])), "(4, 63)");
        Guard.Throws<ArgumentException>(() => model.PredictProbabilities(Tensor.Zeros([4, 63])), "(4, 63)");
    }

    [Fact]
    public void A_sequential_network_reports_the_layer_that_refused_the_shape()
    {
        var random = new Random(0);
        var model = new Sequential(new Linear(64, 32, random), new Relu(), new Linear(32, 10, random));
        Guard.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([4, 63])), "Linear(64 → 32)", "(4, 63)");
        Guard.Throws<ArgumentNullException>(() => model.Forward(null!));

        var (cnn, _) = Architecture.Build("conv8k3p1-relu-pool2-flatten-fc10", [1, 8, 8], new Random(0));
        Guard.Throws<ArgumentException>(() => cnn.Forward(Tensor.Zeros([4, 63])), "Unflatten(1, 8, 8)", "(4, 63)");
        var (images, _) = Architecture.Build("conv8k3p1-relu-pool2-flatten-fc10", [1, 8, 8], new Random(0), flatInput: false);
        Guard.Throws<ArgumentException>(() => images.Forward(Tensor.Zeros([4, 3, 8, 8])), "Conv2d(1 → 8", "(4, 3, 8, 8)");
        Guard.Throws<ArgumentException>(() => images.Forward(Tensor.Zeros([4, 1, 6, 6])), "Linear(128 → 10)", "(4, 72)");
    }
}
