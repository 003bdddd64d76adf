using Nabla.Data;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Serialization;
using Nabla.Tensors;

namespace Nabla.Tests.Serialization;

public sealed class ModelStoreTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_saved_model_loads_with_the_same_architecture_and_predictions()
    {
        var model = new Mlp(new MlpSpec(6, [5, 4], 3, Activation.Tanh), seed: 9);
        var dir = _files.PathOf("model");
        ModelStore.Save(dir, model, "hinge", "digits", ["a", "b", "c"]);
        var (module, description) = ModelStore.Load(dir);
        var loaded = Assert.IsType<Mlp>(module);
        Assert.Equal(model.Spec with { Init = loaded.Spec.Init }, loaded.Spec);
        Assert.Equal("hinge", description.Loss);
        Assert.Equal(["a", "b", "c"], description.ClassNames!);
        var x = Tensor.Normal([4, 6], 0, 1, new Random(0));
        Assert.Equal(model.Forward(x).ToFloatArray(), loaded.Forward(x).ToFloatArray());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_network_built_from_a_description_is_saved_as_its_description_and_loads_with_the_same_predictions()
    {
        const string architecture = "conv4k3p1-relu-pool2-flatten-fc3";
        var (model, _) = Architecture.Build(architecture, [1, 6, 6], new Random(4));
        var dir = _files.PathOf("cnn");
        ModelStore.Save(dir, model, dataset: "digits");   // the network knows its architecture
        var (loaded, description) = ModelStore.Load(dir);
        Assert.Equal("sequential", description.Kind);
        Assert.Equal(architecture, description.Architecture);
        Assert.Equal(36, description.InputFeatures);
        var x = Tensor.Normal([2, 36], 0, 1, new Random(0));
        Assert.Equal(model.Forward(x).ToFloatArray(), loaded.Forward(x).ToFloatArray());
        Assert.Equal(model.NamedParameters().Select(p => p.Key), loaded.NamedParameters().Select(p => p.Key));
    }

    [Fact]
    public void The_feature_columns_and_standardisation_of_a_tabular_model_are_saved_with_it_and_checked_on_load()
    {
        var model = new Mlp(new MlpSpec(2, [3], 2), seed: 0);
        var schema = new Nabla.Data.FeatureSchema(["x", "y"], "label", new Nabla.Data.Standardization([1.5, -2], [0.5, 3]));
        var dir = _files.PathOf("tabular");
        ModelStore.Save(dir, model, dataset: "csv", classNames: ["no", "yes"], features: schema);
        var (_, description) = ModelStore.Load(dir);
        Assert.Equal(["x", "y"], description.Features!.FeatureNames);
        Assert.Equal("label", description.Features.LabelColumn);
        Assert.Equal([1.5, -2.0], description.Features.Standardization!.Mean);
        Assert.Equal([0.5, 3.0], description.Features.Standardization.Scale);

        var json = File.ReadAllText(Path.Combine(dir, ModelStore.DescriptionFile));
        File.WriteAllText(Path.Combine(dir, ModelStore.DescriptionFile), json.Replace("0.5", "0", StringComparison.Ordinal));
        var e = Assert.Throws<Nabla.Data.DataFormatException>(() => ModelStore.Load(dir));
        Assert.Contains("finite scales > 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5E-324")]
    [InlineData("1E-310")]
    [InlineData("-0.5")]
    public void A_subnormal_or_negative_scale_is_refused_when_the_model_is_loaded_naming_model_json(string scale)
    {
        var model = new Mlp(new MlpSpec(2, [3], 2), seed: 0);
        var dir = _files.PathOf("subnormal");
        ModelStore.Save(dir, model, dataset: "csv", classNames: ["no", "yes"], features: new FeatureSchema(["x", "y"], "label", new Standardization([1.5, -2], [0.5, 3])));
        var path = Path.Combine(dir, ModelStore.DescriptionFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace("0.5", scale, StringComparison.Ordinal));
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(dir));
        Assert.StartsWith($"{path}: \"standardization\" must hold 2 finite means and 2 finite scales > 0 (normal numbers, not subnormal)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_name_of_megabytes_is_refused_naming_model_json()
    {
        var dir = _files.PathOf("long-name");
        ModelStore.Save(dir, new Mlp(new MlpSpec(3, [2], 2), seed: 0), classNames: ["n", "LONG"]);
        var path = Path.Combine(dir, ModelStore.DescriptionFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace("LONG", new string('y', 1_000_000), StringComparison.Ordinal));
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(dir));
        Assert.StartsWith($"{path}: class name 'yyy", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("… (1000000 characters)' is longer than the 256 characters a class name may have", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_description_starting_with_a_utf8_bom_is_read()
    {
        var dir = _files.PathOf("bom");
        ModelStore.Save(dir, new Mlp(new MlpSpec(3, [2], 2), seed: 0), classNames: ["n", "y"]);
        var path = Path.Combine(dir, ModelStore.DescriptionFile);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(path)]);
        var (model, description) = ModelStore.Load(dir);
        Assert.Equal(["n", "y"], description.ClassNames!);
        Assert.Equal(3 * 2 + 2 + 2 * 2 + 2, model.ParameterCount());
    }

    [Theory]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"inputs\": 2", "inputs")]
    [InlineData("\"inputs\": 2, \"hidden\": [3], \"outputs\": 2, \"features\": {\"names\": [\"a\", \"b\"], \"labelColumn\": \"y\", \"labelColumn\": \"z\"}", "labelColumn")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"format\": \"nabla-model\"", "format")]
    public void A_key_that_appears_twice_in_one_object_is_refused(string fields, string key)
    {
        var e = Refused($"{{\"format\": \"nabla-model\", {fields}}}");
        Assert.Equal($"m/model.json: not a Nabla model (the key '{key}' appears twice in one object)", e.Message);
    }

    [Fact]
    public void A_key_that_is_not_utf8_is_a_format_error()
    {
        // Found by the model-file fuzz target: the duplicate-key check decoded keys and met invalid UTF-8.
        byte[] json = [.. "{\"format\": \"nabla-model\", \""u8.ToArray(), 0x94, .. "\": 1}"u8.ToArray()];
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(json, "m/model.json", NoWeights, "m/model.safetensors"));
        Assert.Equal("m/model.json: not a Nabla model (a key is not valid UTF-8)", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_reported_and_leaves_a_saved_model_intact()
    {
        var dir = _files.PathOf("m");
        ModelStore.Save(dir, new Mlp(new MlpSpec(2, [2], 2)));
        var before = File.ReadAllBytes(Path.Combine(dir, ModelStore.WeightsFile));
        var notModel = _files.Write("notes.json", "{\"hello\": 1}"u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(notModel));
        Assert.Contains("not a Nabla model", e.Message, StringComparison.Ordinal);
        var garbage = _files.Write("garbage.json", [0xff, 0x00, 0x12]);
        Assert.Throws<DataFormatException>(() => ModelStore.Load(garbage));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, ModelStore.WeightsFile)));
    }

    [Fact]
    public void Weights_that_do_not_fit_the_description_are_reported()
    {
        var dir = _files.PathOf("m2");
        ModelStore.Save(dir, new Mlp(new MlpSpec(2, [3], 2)));
        SafeTensors.Write(Path.Combine(dir, ModelStore.WeightsFile), new Mlp(new MlpSpec(2, [4], 2)).NamedParameters());
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(dir));
        Assert.Contains("layers.0.weight", e.Message, StringComparison.Ordinal);
    }

    // Untrusted files (docs/fuzzing.md): the description is checked completely before any weight is allocated, and a
    // network is built only when the weights file really holds its values.

    private static readonly byte[] NoWeights = [2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}'];

    private static DataFormatException Refused(string json, byte[]? weights = null)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => ModelStore.Load(System.Text.Encoding.UTF8.GetBytes(json), "m/model.json", weights ?? NoWeights, "m/model.safetensors"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, $"{GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated for: {e.Message}");
        Assert.Contains("m/model.", e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData("\"inputs\": 1000, \"hidden\": [1000000000], \"outputs\": 10", "more than 1073741824 parameters")]
    [InlineData("\"inputs\": 300000000, \"hidden\": [], \"outputs\": 2", "more than 268435456")]
    [InlineData("\"inputs\": -4, \"hidden\": [3], \"outputs\": 2", "input width must be at least 1")]
    [InlineData("\"inputs\": 4, \"hidden\": [0], \"outputs\": 2", "hidden widths must be at least 1")]
    [InlineData("\"inputs\": 4, \"hidden\": null, \"outputs\": 2", "\"hidden\" must be a list")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"activation\": \"swirl\"", "unknown activation 'swirl'")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"dtype\": null", "no \"dtype\"")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"dtype\": \"int8\"", "unknown dtype 'int8'")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"loss\": \"guess\"", "unknown loss 'guess'")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"classNames\": [\"a\"]", "1 class names for a network of 2 outputs")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2, \"classNames\": [\"a\", null]", "a class name is null")]
    [InlineData("\"inputs\": 2, \"hidden\": [3], \"outputs\": 2, \"features\": {\"names\": [\"a\", null], \"labelColumn\": \"y\"}", "\"features\" must name")]
    [InlineData("\"inputs\": 4, \"hidden\": [3], \"outputs\": 2", "the weights hold 0 values, but m/model.json describes a network of 23")]
    [InlineData("\"kind\": \"sequential\", \"architecture\": \"gap\", \"exampleShape\": [1, 100000, 100000]", "more than 268435456 values")]
    [InlineData("\"kind\": \"sequential\", \"architecture\": \"conv8k3\", \"exampleShape\": [1, -8, 8]", "positive sizes")]
    [InlineData("\"kind\": \"sequential\", \"architecture\": \"conv1k1p1000000000\", \"exampleShape\": [1, 8, 8]", "would hold more than")]
    [InlineData("\"kind\": \"sequential\", \"architecture\": \"flatten-fc200000000\", \"exampleShape\": [1, 8, 8]", "more than 1073741824 parameters and buffers")]
    [InlineData("\"kind\": \"sequential\", \"architecture\": \"fc3\"", "needs \"architecture\" and \"exampleShape\"")]
    [InlineData("\"kind\": \"recurrent\"", "model kind 'recurrent' is not supported")]
    [InlineData("\"version\": 2", "version 2 is not supported")]
    public void A_malformed_description_is_refused_before_any_weight_is_allocated(string fields, string problem)
    {
        var e = Refused($"{{\"format\": \"nabla-model\", {fields}}}");
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_and_a_saved_pair_in_memory_are_handled()
    {
        Assert.Contains("invalid JSON", Refused("{\"format\": \"nabla-model\", \"inputs\": 1e400}").Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", Refused(new string('[', 5000)).Message, StringComparison.Ordinal);
        var dir = _files.PathOf("mem");
        ModelStore.Save(dir, new Mlp(new MlpSpec(3, [2], 2)), classNames: ["n", "y"]);
        var (model, description) = ModelStore.Load(File.ReadAllBytes(Path.Combine(dir, ModelStore.DescriptionFile)), "d", File.ReadAllBytes(Path.Combine(dir, ModelStore.WeightsFile)), "w");
        Assert.Equal(["n", "y"], description.ClassNames!);
        Assert.Equal(3 * 2 + 2 + 2 * 2 + 2, model.ParameterCount());
    }

    [Fact]
    public void A_network_that_does_not_know_what_built_it_is_refused_and_nothing_is_written()
    {
        var (changed, _) = Architecture.Build("fc4-relu-fc2", [3], new Random(0));
        changed.Add(new Relu());   // no longer what "fc4-relu-fc2" builds
        var (unflattened, _) = Architecture.Build("conv2k3-flatten-fc2", [1, 4, 4], new Random(0), flatInput: false);
        foreach (var model in new Module[] { new Nabla.Tests.Training.SmallResidualMlp(3, seed: 0, DType.Float32), changed, unflattened })
        {
            Assert.Null(model.Blueprint);
            var dir = _files.PathOf("refused");
            var e = Assert.Throws<ArgumentException>(() => ModelStore.Save(dir, model));
            Assert.Contains("does not know what it was built from", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir));
        }
    }

    [Fact]
    public void A_summary_opens_an_mlp_layer_by_layer()
    {
        var mlp = new Mlp(new MlpSpec(5, [4], 3), seed: 0);
        var rows = ModelSummary.Of(mlp, [1, 5], DType.Float32).Layers;
        Assert.Equal(["layers.0", "layers.1", "layers.2"], rows.Select(r => r.Name));
        Assert.Equal([new Shape(1, 4), new Shape(1, 4), new Shape(1, 3)], rows.Select(r => r.OutputShape));
        Assert.Equal(mlp.ParameterCount(), rows.Sum(r => r.Parameters));
    }
}
