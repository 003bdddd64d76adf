using System.Buffers.Binary;
using Nabla.Data;
using Nabla.Fuzz.Engine;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Serialization;
using Nabla.Tensors;

namespace Nabla.Fuzz.Targets;

/// <summary>Saved models (<see cref="ModelStore.Load(ReadOnlyMemory{byte}, string, ReadOnlyMemory{byte}, string)"/>):
/// an input is a pair, model.json and model.safetensors, held as [description length, uint32 little-endian]
/// [description][weights] (a length past the end takes the whole rest as the description). Mutants change the
/// description as JSON, the weights as safetensors, or the whole blob as bytes.</summary>
internal sealed class ModelTarget : FuzzTarget
{
    private const string DescriptionName = "fuzz/model.json";
    private const string WeightsName = "fuzz/model.safetensors";

    private static readonly byte[][] DescriptionWords = Words.Of(
        "format", "nabla-model", "version", "kind", "mlp", "sequential", "architecture", "exampleShape", "inputs", "hidden", "outputs",
        "activation", "relu", "gelu", "leaky-relu", "dtype", "float32", "float64", "loss", "cross-entropy", "mse", "bce", "dataset",
        "classNames", "features", "names", "labelColumn", "standardization", "mean", "scale", "conv8k3p1", "conv2k1g2", "fc3", "fc100000",
        "flatten", "gap", "bn", "pool2", "avgpool3s1", "dropout0.5", "null", "true", "[1,28,28]", "[3]", "[]", "{}");

    private static readonly byte[][] WeightWords = Words.Of(
        "dtype", "shape", "data_offsets", "__metadata__", "F64", "F32", "F16", "BF16", "I64", "U8", "BOOL", "layers.0.weight", "layers.0.bias",
        "1.weight", "2.running_var", "2.num_batches_tracked", "[0,0]", "[]");

    public override string Name => "model";

    public override string Description => "ModelStore.Load of a model.json and model.safetensors pair";

    public override string FileName => "fuzz/model.";

    public override IReadOnlyList<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        var random = new Random(7);
        var schema = new FeatureSchema(["a", "b", "c", "d"], "species", new Standardization([1, 2, 3, 4], [0.5, 1, 2, 4]));
        seeds.Add(Saved(d => ModelStore.Save(d, new Mlp(new MlpSpec(4, [6], 3)), dataset: "iris", classNames: ["x", "y", "z"], features: schema)));
        seeds.Add(Saved(d => ModelStore.Save(d, new Mlp(new MlpSpec(2, [], 2, Activation.Gelu, DType.Float64)), loss: "mse")));
        foreach (var (architecture, shape) in new (string, int[])[] { ("conv3k3p1-bn-relu-pool2-flatten-fc3", [1, 4, 4]), ("fc5-tanh-dropout0.5-bn-fc2", [3]), ("conv4k3s2g2-silu-gap-fc2", [2, 6, 6]) })
        {
            var model = Architecture.Build(architecture, shape, random).Model;
            seeds.Add(Saved(d => ModelStore.Save(d, model, classNames: shape.Length == 3 && architecture.EndsWith("fc3", StringComparison.Ordinal) ? ["a", "b", "c"] : ["no", "yes"])));
        }

        return seeds;
    }

    public override byte[] Mutate(byte[] parent, Mutator mutator)
    {
        var (description, weights) = Split(parent);
        switch (mutator.Random.Next(20))
        {
            case < 9:
                return Join(mutator.Mutate(description, InputStyle.Text, DescriptionWords), weights);
            case < 16:
                return Join(description, mutator.Mutate(weights, InputStyle.Text, WeightWords));
            case < 17 when mutator.Pool.Count > 0:
                return Join(description, Split(mutator.Pool[mutator.Random.Next(mutator.Pool.Count)]).Weights);
            default:
                return mutator.Mutate(parent, InputStyle.Binary, []);
        }
    }

    public override void Run(byte[] input)
    {
        var (description, weights) = Split(input);
        var (model, loaded) = ModelStore.Load(description, DescriptionName, weights, WeightsName);
        long state = model.NamedState().Sum(p => (long)p.Value.Count);
        if (state > weights.Length) throw new InvariantException($"a model of {state} values from {weights.Length} bytes of weights");
        if (model.Parameters().Any(p => p.HasNonFinite())) throw new InvariantException("non-finite parameters");
        if (loaded.Kind is not ("mlp" or "sequential")) throw new InvariantException($"kind {loaded.Kind}");
    }

    public static (byte[] Description, byte[] Weights) Split(byte[] input)
    {
        if (input.Length < 4) return (input, []);
        long length = Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(input), input.Length - 4);
        return (input[4..(4 + (int)length)], input[(4 + (int)length)..]);
    }

    public static byte[] Join(byte[] description, byte[] weights)
    {
        var bytes = new byte[4 + description.Length + weights.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)description.Length);
        description.CopyTo(bytes, 4);
        weights.CopyTo(bytes, 4 + description.Length);
        return bytes;
    }

    private static byte[] Saved(Action<string> save)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"nabla-fuzz-{Guid.NewGuid():N}");
        try
        {
            save(directory);
            return Join(File.ReadAllBytes(Path.Combine(directory, ModelStore.DescriptionFile)), File.ReadAllBytes(Path.Combine(directory, ModelStore.WeightsFile)));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
