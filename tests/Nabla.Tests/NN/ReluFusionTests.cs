using Nabla.GradientChecking;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

/// <summary>A Sequential applies a ReLU that follows a Linear or Conv2d inside that layer's kernel: the same values and
/// gradients as the two modules one after the other, bit for bit, and correct against finite differences.</summary>
public sealed class ReluFusionTests
{
    private static Module[] Layers(bool convolution, DType dtype, int seed)
    {
        var random = new Random(seed);
        return convolution
            // The pooling hands the convolution a gradient of its own (masked in the kernel's threads), the flattening
            // a view of another (masked into a new tensor).
            ? [new Conv2d(2, 3, 3, random, padding: 1, dtype: dtype), new Relu(), new MaxPool2d(2), new Conv2d(3, 2, 1, random, dtype: dtype), new Relu(),
                new Flatten(), new Linear(2 * 2 * 2, 4, random, dtype: dtype), new Relu()]
            : [new Linear(6, 5, random, dtype: dtype), new Relu(), new Linear(5, 4, random, dtype: dtype), new Relu()];
    }

    private static Tensor Input(bool convolution, DType dtype) =>
        Tensor.Normal(convolution ? [3, 2, 5, 5] : [3, 6], 0, 1, new Random(2), dtype);

    /// <summary>The output and every gradient after one backward pass through <paramref name="forward"/>.</summary>
    private static List<double[]> Run(Module[] layers, Tensor input, Func<Tensor, Tensor> forward)
    {
        var x = input.Clone();
        x.RequiresGrad = true;
        var y = forward(x);
        (y * y).Sum().Backward();
        var results = new List<double[]> { y.ToDoubleArray(), x.Grad!.ToDoubleArray() };
        results.AddRange(layers.SelectMany(l => l.Parameters()).Select(p => p.Grad!.ToDoubleArray()));
        return results;
    }

    [Theory]
    [InlineData(false, DType.Float32)]
    [InlineData(false, DType.Float64)]
    [InlineData(true, DType.Float32)]
    [InlineData(true, DType.Float64)]
    public void A_fused_relu_gives_the_values_and_gradients_of_the_two_modules_bit_for_bit(bool convolution, DType dtype)
    {
        var separate = Layers(convolution, dtype, 4);
        var fused = Layers(convolution, dtype, 4);
        var input = Input(convolution, dtype);

        var expected = Run(separate, input, x => separate.Aggregate(x, (h, layer) => layer.Forward(h)));
        var actual = Run(fused, input, new Sequential(fused).Forward);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fused_relu_passes_the_gradient_check(bool convolution)
    {
        var model = new Sequential(Layers(convolution, DType.Float64, 5));
        var input = Input(convolution, DType.Float64);
        var report = GradientChecker.Check(() => model.Forward(input).Square().Sum(), model.NamedParameters());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void A_gradient_that_two_branches_share_is_masked_for_each_without_changing_the_other()
    {
        // An addition hands one gradient tensor to both branches: a ReLU may overwrite a gradient only when it owns it,
        // or the second branch would see the first one's mask. Finite differences know nothing of either.
        var input = Input(false, DType.Float64);
        var fused = new Sequential(Layers(false, DType.Float64, 6));
        var separate = Layers(false, DType.Float64, 10);   // seeds whose output masks differ both ways
        var parameters = fused.NamedParameters().Concat(separate.SelectMany((l, i) => l.NamedParameters().Select(p => new KeyValuePair<string, Tensor>($"b{i}.{p.Key}", p.Value))));
        var report = GradientChecker.Check(
            () => (fused.Forward(input) + separate.Aggregate(input, (h, layer) => layer.Forward(h))).Square().Sum(),
            parameters);
        Assert.True(report.Passed, report.ToString());
    }
}
