using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Tests.NN;

[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class NormalizationAndDropoutTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Batch_norm_and_its_gradients_are_the_same_on_one_thread_and_on_all_cores(DType dtype)
    {
        // Large enough to split the channels between threads: each channel is summed alone, so the bits must not change.
        var x = Tensor.Normal([64, 16, 12, 12], 2, 3, new Random(8), dtype);
        var upstream = Tensor.Normal(x.Shape, 0, 1, new Random(9), dtype);
        double[][] single, split;
        using (Parallelism.Limit(1)) single = Run();
        using (Parallelism.Limit(Math.Max(2, Environment.ProcessorCount))) split = Run();
        for (int i = 0; i < single.Length; i++) Assert.Equal(single[i], split[i]);

        double[][] Run()
        {
            var layer = new BatchNorm2d(16, dtype: dtype);
            var input = x.Clone();
            input.RequiresGrad = true;
            var y = layer.Forward(input);
            (y * upstream).Sum().Backward();
            return [y.ToDoubleArray(), input.Grad!.ToDoubleArray(), layer.Weight.Grad!.ToDoubleArray(), layer.Bias.Grad!.ToDoubleArray(),
                layer.RunningMean.ToDoubleArray(), layer.RunningVariance.ToDoubleArray()];
        }
    }

    [Theory]
    [InlineData(4, 3, 37)]    // vector loops with a tail (BN2d)
    [InlineData(64, 5, 1)]    // BN1d: one value per image and channel, all tails
    public void Float32_batch_norm_agrees_with_float64_even_on_a_channel_far_from_zero(int n, int channels, int length)
    {
        // The float32 kernel takes its statistics in one pass over shifted values; channel 1 sits at 1000 ± 0.01,
        // where an unshifted one-pass variance (E[x²] − μ²) would lose every digit even in float64 sums.
        var random = new Random(n + channels + length);
        var values = new double[n * channels * length];
        for (int i = 0; i < values.Length; i++)
        {
            int channel = i / length % channels;
            values[i] = channel == 1 ? 1000 + (0.01 * ((random.NextDouble() * 2) - 1)) : (random.NextDouble() * 4) - 1;
        }

        int[] shape = length == 1 ? [n, channels] : [n, channels, length];
        var upstream = Tensor.Normal(new Shape(shape), 0, 1, random, DType.Float64);
        var results = new Dictionary<DType, (double[] Y, double[] Gx, double[] Gamma, double[] Beta, double[] Mean, double[] Variance)>();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            // Both sides start from the same float32-representable values, so only the kernels differ.
            var x = Tensor.FromArray(values.Select(v => (double)(float)v).ToArray(), new Shape(shape)).To(dtype);
            x.RequiresGrad = true;
            var gamma = Tensor.FromArray(Enumerable.Range(0, channels).Select(c => 0.5 + c).ToArray(), [channels]).To(dtype);
            var beta = Tensor.FromArray(Enumerable.Range(0, channels).Select(c => 0.1 * c).ToArray(), [channels]).To(dtype);
            gamma.RequiresGrad = beta.RequiresGrad = true;
            var (y, mean, variance, _) = Nabla.Autograd.Functions.BatchNormFunction.Apply(x, gamma, beta, 1e-5);
            (y * upstream.To(dtype)).Sum().Backward();
            results[dtype] = (y.ToDoubleArray(), x.Grad!.ToDoubleArray(), gamma.Grad!.ToDoubleArray(), beta.Grad!.ToDoubleArray(), mean, variance);
        }

        var (single, exact) = (results[DType.Float32], results[DType.Float64]);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(exact.Mean[c], single.Mean[c], 1e-9 * Math.Max(1, Math.Abs(exact.Mean[c])));
            Assert.True(Math.Abs(single.Variance[c] - exact.Variance[c]) <= 1e-6 * exact.Variance[c], $"channel {c}: σ² {single.Variance[c]} against {exact.Variance[c]}");
        }

        AssertClose(exact.Y, single.Y, 1e-4);
        AssertClose(exact.Gx, single.Gx, 1e-3);
        AssertClose(exact.Gamma, single.Gamma, 1e-4);
        AssertClose(exact.Beta, single.Beta, 1e-4);

        static void AssertClose(double[] want, double[] got, double tolerance)
        {
            double scale = want.Max(Math.Abs);
            for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * scale, $"element {i}: {got[i]} against {want[i]}");
        }
    }

    [Fact]
    public void Batch_norm_normalises_each_channel_in_training_and_keeps_running_statistics_for_evaluation()
    {
        var random = new Random(3);
        var layer = new BatchNorm2d(2, dtype: DType.Float64);
        var x = Tensor.Normal([4, 2, 3, 3], 5, 2, random, DType.Float64);
        var y = layer.Forward(x);
        for (int c = 0; c < 2; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 9).Select(i => y[n, c, i / 3, i % 3])).ToArray();
            Assert.Equal(0, values.Average(), 10);
            Assert.Equal(1, values.Select(v => v * v).Average(), 4);   // variance 1 up to ε

            var inputs = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 9).Select(i => x[n, c, i / 3, i % 3])).ToArray();
            double mean = inputs.Average(), unbiased = inputs.Select(v => (v - mean) * (v - mean)).Sum() / (inputs.Length - 1);
            Assert.Equal(0.1 * mean, layer.RunningMean[c], 10);
            Assert.Equal(0.9 + (0.1 * unbiased), layer.RunningVariance[c], 10);
        }

        layer.Eval();
        var single = x.Slice(0, 0, 1);
        var expected = (single[0, 1, 2, 2] - layer.RunningMean[1]) / Math.Sqrt(layer.RunningVariance[1] + 1e-5);
        Assert.Equal(expected, layer.Forward(single)[0, 1, 2, 2], 10);   // one example alone: the running statistics
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Key));
        Assert.Equal(["running_mean", "running_var"], layer.NamedBuffers().Select(p => p.Key));
    }

    [Fact]
    public void Buffers_travel_in_the_state_dictionary_but_are_not_parameters()
    {
        var model = new Sequential(new Linear(3, 4, new Random(0)), new BatchNorm1d(4));
        Assert.Equal(3 * 4 + 4 + 4 + 4, model.ParameterCount());
        string[] expected = ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), model.StateDict().Keys.Order(StringComparer.Ordinal));
        model.Forward(Tensor.Normal([6, 3], 0, 1, new Random(1)));
        var copy = new Sequential(new Linear(3, 4, new Random(5)), new BatchNorm1d(4));
        copy.LoadStateDict(model.StateDict());
        Assert.Equal(((BatchNorm1d)model.Modules[1]).RunningMean.ToFloatArray(), ((BatchNorm1d)copy.Modules[1]).RunningMean.ToFloatArray());
    }

    [Fact]
    public void Dropout_keeps_about_one_minus_p_scaled_up_passes_gradients_through_the_kept_values_and_is_the_identity_in_eval()
    {
        var layer = new Dropout(0.25, seed: 7);
        var x = Tensor.Ones([100, 100], DType.Float64);
        x.RequiresGrad = true;
        var y = layer.Forward(x);
        var values = y.ToDoubleArray();
        Assert.All(values, v => Assert.True(v == 0 || Math.Abs(v - (1 / 0.75)) < 1e-12));
        Assert.InRange(values.Count(v => v != 0) / 10_000.0, 0.73, 0.77);
        y.Sum().Backward();
        Assert.Equal(values, x.Grad!.ToDoubleArray());   // ∂y/∂x is the mask itself
        Assert.Equal(values, new Dropout(0.25, seed: 7).Forward(Tensor.Ones([100, 100], DType.Float64)).ToDoubleArray());   // seeded
        layer.Eval();
        Assert.Same(x, layer.Forward(x));
    }

    [Fact]
    public void Descriptions_take_batch_norm_and_dropout()
    {
        var (model, _) = Architecture.Build("conv4k3p1-bn-relu-dropout0.25-flatten-fc8-bn-relu-fc3", [1, 6, 6], new Random(0));
        Assert.IsType<BatchNorm2d>(model.Modules[2]);
        Assert.Equal(0.25, Assert.IsType<Dropout>(model.Modules[4]).Probability);
        Assert.IsType<BatchNorm1d>(model.Modules[7]);
        Assert.Throws<ArgumentException>(() => Architecture.Build("dropout1.5", [1, 6, 6], new Random(0)));
    }

    [Fact]
    public void Descriptions_with_a_fraction_read_the_same_in_every_culture()
    {
        // Descriptions go into messages and into files (an exported ONNX model's doc_string).
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = comma;
            Assert.Equal("Dropout(0.25)", new Dropout(0.25).Describe());
            Assert.Equal("LeakyRelu(0.01)", new Nabla.NN.Activations.LeakyRelu().Describe());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Layer_norm_normalises_each_row_the_same_in_training_and_evaluation()
    {
        var layer = new LayerNorm(6, dtype: DType.Float64);
        var x = Tensor.Normal([3, 6], 4, 3, new Random(2), DType.Float64);
        var y = layer.Forward(x);
        for (int r = 0; r < 3; r++)
        {
            var row = Enumerable.Range(0, 6).Select(f => y[r, f]).ToArray();
            Assert.Equal(0, row.Average(), 10);
            Assert.Equal(1, row.Select(v => v * v).Average(), 4);
        }

        layer.Eval();
        Assert.Equal(y.ToDoubleArray(), layer.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void An_embedding_looks_up_rows_and_rejects_indices_outside_the_table()
    {
        var layer = new Embedding(4, 3, new Random(1));
        var y = layer.Forward(Tensor.FromArray([2f, 0f, 2f], [3]));
        Assert.Equal(new Shape(3, 3), y.Shape);
        Assert.Equal(layer.Weight.Slice(0, 2, 1).ToFloatArray(), y.Slice(0, 0, 1).ToFloatArray());
        Assert.Equal(y.Slice(0, 0, 1).ToFloatArray(), y.Slice(0, 2, 1).ToFloatArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.FromArray([1f, 4f], [2])));
        Assert.Contains("index 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.FromArray([1.5f], [1])));
    }
}
