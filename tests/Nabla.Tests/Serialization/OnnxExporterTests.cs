using Microsoft.ML.OnnxRuntime;
using Nabla.Autograd;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Serialization.Onnx;
using Nabla.Tensors;

namespace Nabla.Tests.Serialization;

/// <summary>Every exported network is loaded in ONNX Runtime, run on a random batch, and compared with Nabla's own
/// evaluation-mode forward pass.</summary>
public sealed class OnnxExporterTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<Activation> Activations() => [.. Enum.GetValues<Activation>()];

    [Theory]
    [MemberData(nameof(Activations))]
    public void An_mlp_with_each_activation_matches(Activation activation)
    {
        var model = new Mlp(new MlpSpec(6, [7, 5], 3, activation), seed: 3);
        AssertOnnxMatches(model, [6]);
    }

    public static TheoryData<string, Func<Random, Module>, int[]> Layers() => new()
    {
        { "leaky relu, slope 0.2", _ => new LeakyRelu(0.2), [4, 3] },
        { "softmax", _ => new Softmax(), [7] },
        { "linear without bias", r => new Linear(5, 4, r, bias: false), [5] },
        { "linear on (L, I): MatMul + Add", r => new Linear(5, 4, r), [3, 5] },
        { "linear on (L, I) without bias", r => new Linear(5, 4, r, bias: false), [3, 5] },
        { "conv, padding 1", r => new Conv2d(2, 3, 3, r, padding: 1), [2, 6, 5] },
        { "conv, stride 2, dilation 2, groups 2, no bias", r => new Conv2d(4, 6, 3, r, stride: 2, dilation: 2, groups: 2, bias: false), [4, 9, 8] },
        { "conv, stride 2, padding 2, 1×1 kernel", r => new Conv2d(3, 2, 1, r, stride: 2, padding: 2), [3, 5, 5] },
        { "max-pool 2", _ => new MaxPool2d(2), [2, 6, 7] },
        { "max-pool 3, stride 2, padding 1", _ => new MaxPool2d(3, 2, 1), [2, 7, 6] },
        { "avg-pool 2", _ => new AvgPool2d(2), [2, 6, 7] },
        { "avg-pool 3, stride 1, padding 1 (padding counted)", _ => new AvgPool2d(3, 1, 1), [2, 5, 6] },
        { "global average pool", _ => new GlobalAvgPool2d(), [3, 4, 5] },
        { "flatten", _ => new Flatten(), [2, 3, 4] },
        { "unflatten, then conv", r => new Sequential(new Unflatten(2, 4, 3), new Conv2d(2, 2, 3, r, padding: 1)), [24] },
        { "layer norm over (F)", _ => new LayerNorm(6, 1e-3), [6] },
        { "layer norm over (L, F)", _ => new LayerNorm(6), [3, 6] },
        { "dropout (identity)", _ => new Dropout(0.5), [5] },
        { "dropout alone between linears", r => new Sequential(new Linear(4, 4, r), new Dropout(0.3), new Linear(4, 2, r)), [4] },
        { "a single activation module", _ => new Tanh(), [3] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Each_layer_matches(string name, Func<Random, Module> create, int[] exampleShape)
    {
        var model = create(new Random(name.Length));
        AssertOnnxMatches(model, exampleShape);
    }

    [Fact]
    public void Batch_normalisation_uses_the_running_statistics_for_features_and_images()
    {
        var random = new Random(5);
        var bn1 = new BatchNorm1d(4, epsilon: 1e-3);
        var bn2 = new BatchNorm2d(3);
        Randomise(bn1, random);
        Randomise(bn2, random);
        var model = new Sequential(new Unflatten(3, 4, 4), bn2, new Relu(), new Flatten(), new Linear(48, 4, random), bn1);
        WarmUp(model, [48], random);
        Assert.NotEqual(0, bn1.RunningMean.GetFlat(0));
        Assert.NotEqual(1, bn2.RunningVariance.GetFlat(1));
        AssertOnnxMatches(model, [48]);
    }

    [Fact]
    public void An_embedding_looks_up_whole_number_indices()
    {
        var random = new Random(6);
        var model = new Sequential(new Embedding(10, 4, random), new Linear(4, 3, random), new Gelu(), new Flatten(), new Linear(15, 2, random));
        var indices = Enumerable.Range(0, 4 * 5).Select(_ => (float)random.Next(10)).ToArray();
        AssertOnnxMatches(model, [5], batch: 4, input: indices);
    }

    [Fact]
    public void The_w4_cnn_matches()
    {
        var (model, _) = Architecture.Build("conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10", [1, 28, 28], new Random(7));
        AssertOnnxMatches(model, [784], batch: 3, low: 0, high: 1);
    }

    [Fact]
    public void A_cnn_with_batch_norm_dropout_pooling_dilation_groups_and_stride_matches()
    {
        const string description = "conv8k3p1-bn-relu-conv8k3s2d2g2-elu-avgpool2-dropout0.3-conv16k3p1-bn-gelu-gap-fc16-bn-silu-dropout0.2-fc5";
        var random = new Random(8);
        var (model, output) = Architecture.Build(description, [3, 16, 16], random);
        Assert.Equal([5], output);
        foreach (var bn in model.Modules.OfType<BatchNorm>()) Randomise(bn, random);
        WarmUp(model, [768], random);
        AssertOnnxMatches(model, [768], batch: 6);
    }

    [Fact]
    public void A_float64_model_is_exported_as_float32()
    {
        var random = new Random(9);
        var (model, _) = Architecture.Build("conv4k3p1-bn-softplus-pool2-flatten-fc6-sigmoid-fc3", [2, 6, 6], random, dtype: DType.Float64);
        WarmUp(model, [72], random);
        AssertOnnxMatches(model, [72]);
    }

    [Fact]
    public void Export_does_not_change_the_models_mode()
    {
        var (model, _) = Architecture.Build("fc8-bn-dropout0.5-fc2", [4], new Random(10));
        OnnxExporter.Export(model, [4], _files.PathOf("train.onnx"));
        Assert.True(model.IsTraining);
        Assert.All(model.Modules, m => Assert.True(m.IsTraining));
        model.Eval();
        OnnxExporter.Export(model, [4], _files.PathOf("eval.onnx"));
        Assert.False(model.IsTraining);
        Assert.Equal(File.ReadAllBytes(_files.PathOf("train.onnx")), File.ReadAllBytes(_files.PathOf("eval.onnx")));
    }

    [Fact]
    public void The_model_declares_its_producer_opset_names_and_a_symbolic_batch()
    {
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 1);
        var path = _files.PathOf("mlp.onnx");
        var summary = OnnxExporter.Export(model, [64], path);
        Assert.Equal([64], summary.InputShape);
        Assert.Equal([10], summary.OutputShape);
        Assert.Equal(3, summary.Nodes);          // Gemm, Relu, Gemm
        Assert.Equal(4, summary.Initializers);   // two weights, two biases

        using var session = new InferenceSession(path);
        Assert.Equal("Nabla", session.ModelMetadata.ProducerName);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 64], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        Assert.Equal(typeof(float), input.Value.ElementType);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("logits", output.Key);
        Assert.Equal([-1, 10], output.Value.Dimensions);

        // ModelProto field 1 (ir_version, varint) = 8 comes first; the opset import (field 8) holds version 17.
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x08, 0x08], bytes[..2]);
        Assert.Equal([0x42, 0x04, 0x0a, 0x00, 0x10, 0x11], bytes[^6..]);
        Assert.Empty(Directory.GetFiles(_files.Root, "*.tmp"));

        // Initializers carry the state-dict names.
        var names = new System.Text.UTF8Encoding().GetString(bytes);
        foreach (var (name, _) in model.NamedParameters()) Assert.Contains(name, names, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stream_overload_writes_the_same_bytes_as_the_file_overload()
    {
        var model = new Mlp(new MlpSpec(5, [3], 2), seed: 2);
        var path = _files.PathOf("file.onnx");
        OnnxExporter.Export(model, [5], path);
        using var stream = new MemoryStream();
        OnnxExporter.Export(model, [5], stream);
        Assert.Equal(File.ReadAllBytes(path), stream.ToArray());
    }

    private sealed class Doubler : Module
    {
        public override Tensor Forward(Tensor input) => input * 2;
    }

    [Fact]
    public void An_unknown_module_is_not_supported_and_is_named()
    {
        var random = new Random(0);
        var model = new Sequential(new Linear(3, 3, random), new Sequential(new Relu(), new Doubler()));
        var path = _files.PathOf("unknown.onnx");
        File.WriteAllText(path, "before");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, [3], path));
        Assert.Contains("'1.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Doubler", e.Message, StringComparison.Ordinal);
        Assert.Equal("before", File.ReadAllText(path));   // the failed export left the file alone
        Assert.Empty(Directory.GetFiles(_files.Root, "*.tmp"));
    }

    [Fact]
    public void A_shape_that_does_not_fit_a_layer_is_reported_with_the_layer()
    {
        var random = new Random(0);
        var model = new Sequential(new Linear(4, 3, random), new Relu(), new Linear(5, 2, random));
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, [4], _files.PathOf("bad.onnx")));
        Assert.Contains("layer '2' Linear(5 → 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(3)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new Conv2d(1, 1, 3, random), [9], _files.PathOf("conv.onnx")));

        // Windows one pixel wider than the image, with a stride of 2: truncating division would give a 1×1 output.
        Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 3, random, stride: 2).Forward(Tensor.Zeros(new Shape(1, 1, 2, 2))));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new Conv2d(1, 1, 3, random, stride: 2), [1, 2, 2], _files.PathOf("conv.onnx")));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new MaxPool2d(3, 2), [1, 2, 2], _files.PathOf("pool.onnx")));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new Relu(), [], _files.PathOf("empty.onnx")));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new Mlp(new MlpSpec(3, [2], 2)), [4], _files.PathOf("mlp.onnx")));
    }

    /// <summary>Exports <paramref name="model"/>, runs ONNX Runtime on a random batch (or <paramref name="input"/>), and
    /// requires every output within <see cref="Tolerance"/> of Nabla's evaluation-mode forward pass.</summary>
    private void AssertOnnxMatches(Module model, int[] exampleShape, int batch = 5, double low = -2, double high = 2, float[]? input = null)
    {
        var path = _files.PathOf($"model-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, exampleShape, path);

        int[] shape = [batch, .. exampleShape];
        var random = new Random(42);
        input ??= Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(low + ((high - low) * random.NextDouble()))).ToArray();
        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        var x = Tensor.FromArray(input, new Shape(shape)).To(dtype);
        bool training = model.IsTraining;
        model.Eval();
        float[] expected;
        int[] expectedShape;
        using (GradMode.NoGrad())
        {
            var y = model.Forward(x);
            (expected, expectedShape) = (y.ToFloatArray(), y.Shape.ToArray());
        }

        if (training) model.Train();

        using var session = new InferenceSession(path);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [.. shape.Select(d => (long)d)]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["logits"]);
        var output = results[0];
        Assert.Equal(expectedShape.Select(d => (long)d), output.GetTensorTypeAndShape().Shape);
        var actual = output.GetTensorDataAsSpan<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst < Tolerance, $"{model.Describe()}: max |Nabla − ONNX Runtime| = {worst:E2}");
    }

    /// <summary>γ and β away from their initial ones and zeros.</summary>
    private static void Randomise(BatchNorm bn, Random random)
    {
        for (int c = 0; c < bn.Channels; c++)
        {
            bn.Weight.SetFlat(c, 0.5 + random.NextDouble());
            bn.Bias.SetFlat(c, random.NextDouble() - 0.5);
        }
    }

    /// <summary>A few training-mode forward passes on shifted, scaled inputs, so that running statistics move away from
    /// 0 and 1; the model is left in training mode.</summary>
    private static void WarmUp(Module model, int[] exampleShape, Random random)
    {
        model.Train();
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < 4; i++) model.Forward(Tensor.Normal(new Shape([8, .. exampleShape]), 1.5, 3, random, model.Parameters().First().DType));
    }
}
