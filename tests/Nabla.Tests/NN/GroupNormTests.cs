using Microsoft.ML.OnnxRuntime;
using Nabla.GradientChecking;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Serialization.Onnx;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.NN;

/// <summary>GroupNorm, the layer added in one file: its math against a direct computation, its gradients against finite
/// differences, its architecture word, its ONNX emission run by ONNX Runtime, and its captured training step.</summary>
public sealed class GroupNormTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Tensor Random(Shape shape, int seed, DType dtype = DType.Float64)
    {
        var random = new Random(seed);
        return Tensor.FromArray(Enumerable.Range(0, shape.Count).Select(_ => (random.NextDouble() * 4) - 2).ToArray(), shape).To(dtype);
    }

    /// <summary>γ and β away from their initial ones and zeros.</summary>
    private static GroupNorm Layer(int groups, int channels, int seed, DType dtype = DType.Float64)
    {
        var layer = new GroupNorm(groups, channels, dtype: dtype);
        var random = new Random(seed);
        for (int c = 0; c < channels; c++)
        {
            layer.Weight.SetFlat(c, 0.5 + random.NextDouble());
            layer.Bias.SetFlat(c, random.NextDouble() - 0.5);
        }

        return layer;
    }

    [Fact]
    public void Each_group_is_normalised_with_its_own_statistics_then_scaled_per_channel()
    {
        var layer = Layer(groups: 2, channels: 4, seed: 1);
        var x = Random([3, 4, 2, 3], seed: 2);
        var y = layer.Forward(x);
        const int perGroup = 2 * 2 * 3;   // C/G channels of H·W positions
        for (int n = 0; n < 3; n++)
        {
            for (int g = 0; g < 2; g++)
            {
                int start = (n * 24) + (g * perGroup);
                var values = Enumerable.Range(start, perGroup).Select(x.GetFlat).ToArray();
                double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
                for (int i = 0; i < perGroup; i++)
                {
                    int channel = (g * 2) + (i / 6);
                    double expected = (layer.Weight.GetFlat(channel) * (values[i] - mean) / Math.Sqrt(variance + layer.Epsilon)) + layer.Bias.GetFlat(channel);
                    Assert.Equal(expected, y.GetFlat(start + i), 12);
                }
            }
        }
    }

    [Theory]
    [InlineData(new[] { 2, 6, 3, 2 }, 3)]   // images, 3 groups of 2 channels
    [InlineData(new[] { 4, 6 }, 2)]         // features
    [InlineData(new[] { 2, 4, 5 }, 4)]      // one channel per group: instance normalisation
    public void The_gradients_agree_with_finite_differences_in_float64(int[] shape, int groups)
    {
        var layer = Layer(groups, shape[1], seed: 3);
        var x = Random(new Shape(shape), seed: 4);
        x.RequiresGrad = true;
        var weights = Random(new Shape(shape), seed: 5);   // a loss that weighs every output differently
        var report = GradientChecker.Check(() => (layer.Forward(x) * weights).Sum(), [new("x", x), .. layer.NamedParameters()]);
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void The_architecture_word_builds_it_with_pytorchs_state_names()
    {
        var (model, shape) = Architecture.Build("conv4k3p1-gn2-relu-flatten-fc3", [1, 4, 4], new Random(0));
        var layer = Assert.IsType<GroupNorm>(model.Modules[2]);   // after the Unflatten and the convolution
        Assert.Equal((2, 4), (layer.Groups, layer.Channels));
        Assert.Equal([3], shape);
        Assert.Contains("2.weight", model.StateDict().Keys);
        Assert.Contains("2.bias", model.StateDict().Keys);
        Assert.Equal(model.NamedState().Sum(p => (long)p.Value.Count), Architecture.Check("conv4k3p1-gn2-relu-flatten-fc3", [1, 4, 4]).StateElements);
        var refused = Assert.Throws<ArgumentException>(() => Architecture.Check("conv4k3p1-gn3", [1, 4, 4]));
        Assert.Contains("layer 2 'gn3': 3 groups must divide the 4 channels", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("conv6k3p1-gn3-relu-flatten-fc4", new[] { 1, 5, 5 })]
    [InlineData("fc8-gn4-relu-fc3", new[] { 6 })]
    public void Its_onnx_export_computes_what_the_layer_computes(string architecture, int[] example)
    {
        var (model, _) = Architecture.Build(architecture, example, new Random(1));
        foreach (var layer in model.Modules.OfType<GroupNorm>())
        {
            var random = new Random(2);
            for (int c = 0; c < layer.Channels; c++)
            {
                layer.Weight.SetFlat(c, 0.5 + random.NextDouble());
                layer.Bias.SetFlat(c, random.NextDouble() - 0.5);
            }
        }

        model.Eval();
        int features = example.Aggregate(1, (a, b) => a * b);
        var x = Random([5, features], seed: 6, DType.Float32);
        var expected = model.Forward(x).ToFloatArray();

        var path = _files.PathOf("gn.onnx");
        OnnxExporter.Export(model, [features], path);
        using var session = new InferenceSession(path);
        using var value = OrtValue.CreateTensorValueFromMemory(x.ToFloatArray(), [5, features]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["logits"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"output {i}: Nabla {expected[i]}, ONNX Runtime {actual[i]}");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_training_step_with_it_is_captured_and_replays_what_eager_steps_compute_bit_for_bit(DType dtype)
    {
        TrainingStep Step(bool captures)
        {
            var (model, _) = Architecture.Build("conv4k3p1-gn2-relu-flatten-fc3", [1, 4, 4], new Random(3), dtype: dtype);
            var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new AdamW(model.Parameters(), learningRate: 0.01));
            step.Captures = captures;
            return step;
        }

        var (captured, eager) = (Step(captures: true), Step(captures: false));
        for (int i = 0; i < 6; i++)
        {
            var features = Random([8, 16], seed: 10 + i, dtype);
            int[] labels = [.. Enumerable.Range(0, 8).Select(j => (i + j) % 3)];
            Assert.Equal(eager.Run(features, labels).Loss, captured.Run(features, labels).Loss);
        }

        Assert.Equal((1, 5L), (captured.CapturesMade, captured.ReplayedSteps));
        foreach (var ((name, a), (_, b)) in captured.Model.NamedState().Zip(eager.Model.NamedState()))
            Assert.True(a.ToDoubleArray().SequenceEqual(b.ToDoubleArray()), $"{name} differs between captured and eager steps");
    }
}
