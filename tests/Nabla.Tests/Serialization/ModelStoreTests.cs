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
        ModelStore.Save(dir, model, architecture, [1, 6, 6], dataset: "digits");
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
}
