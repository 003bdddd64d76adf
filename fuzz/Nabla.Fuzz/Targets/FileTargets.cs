using Nabla.Data;
using Nabla.Fuzz.Engine;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Fuzz.Targets;

/// <summary>The managed readers' path entry points, as the command calls them (<c>train --data</c>, <c>eval</c>,
/// <c>predict</c>, <c>--resume</c>): each in-memory target's inputs written to a real file and read through
/// <see cref="FileStream"/>. The image reader's is added by the program (it needs SkiaSharp).</summary>
internal static class FileTargets
{
    public static IReadOnlyList<FileTarget> All { get; } =
    [
        new(new IdxTarget(gzip: false), "train-images-idx3-ubyte", path => IdxTarget.Check(IdxFile.Read(path), path)),
        new(new IdxTarget(gzip: true), "train-images-idx3-ubyte.gz", path => IdxTarget.Check(IdxFile.Read(path), path)),
        new(new CsvTarget(), "fuzz.csv", ReadCsv),
        new(new SafeTensorsTarget(), "fuzz.safetensors", ReadSafeTensors),
        new(new ModelTarget(), "model", ReadModel, WriteModel),
        new(new CheckpointTarget(), "checkpoint-0000000001.safetensors", ReadCheckpoint),
    ];

    /// <summary>As <c>train --data FILE.csv</c> reads it (label in the last column) or, when that refuses it, as
    /// <c>eval</c> reads it for a model with the in-memory target's schema: accepted when either accepts it.</summary>
    private static void ReadCsv(string path)
    {
        try
        {
            var csv = CsvDataset.Load(path);
            var data = csv.Data;
            if (data.Features.Shape[0] != data.Count || data.Features.Shape[1] != csv.FeatureNames.Count || data.Labels.Any(l => l < 0 || l >= data.Classes))
                throw new InvariantException($"features {data.Features.Shape}, {data.Count} labels, {data.Classes} classes");
            return;
        }
        catch (DataFormatException)
        {
            // Refused as training data: try it as a model's input, whose refusal then propagates.
        }

        var forModel = CsvDataset.LoadForModel(CsvTable.Read(path), CsvTarget.Schema, CsvTarget.Classes);
        if (forModel.Features.Shape[0] != forModel.Count || forModel.Features.Shape[1] != 3 || forModel.Labels.Any(l => l is < 0 or > 2))
            throw new InvariantException($"features {forModel.Features.Shape}, {forModel.Count} labels");
    }

    private static void ReadSafeTensors(string path)
    {
        var (tensors, _) = SafeTensors.Read(path);
        long values = tensors.Values.Sum(t => (long)t.Count);
        if (values > new FileInfo(path).Length) throw new InvariantException($"{values} values from {new FileInfo(path).Length} bytes");
    }

    // The model target's input is a (model.json, model.safetensors) pair: written as a model folder.
    private static void WriteModel(byte[] input, string folder)
    {
        var (description, weights) = ModelTarget.Split(input);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, ModelStore.DescriptionFile), description);
        File.WriteAllBytes(Path.Combine(folder, ModelStore.WeightsFile), weights);
    }

    private static void ReadModel(string folder)
    {
        var (model, _) = ModelStore.Load(folder);
        long state = model.NamedState().Sum(p => (long)p.Value.Count);
        long weights = new FileInfo(Path.Combine(folder, ModelStore.WeightsFile)).Length;
        if (state > weights) throw new InvariantException($"a model of {state} values from {weights} bytes of weights");
    }

    private static void ReadCheckpoint(string path)
    {
        var checkpoint = CheckpointStore.Load(path);
        if (checkpoint.History.Count != checkpoint.CompletedEpochs || checkpoint.Step < 0 || !(checkpoint.LearningRate > 0))
            throw new InvariantException($"an accepted checkpoint at epoch {checkpoint.CompletedEpochs}, step {checkpoint.Step}, with {checkpoint.History.Count} epochs of history");
        long values = checkpoint.ModelState.Values.Concat(checkpoint.OptimizerState.Values).Sum(t => (long)t.Count);
        if (values > new FileInfo(path).Length) throw new InvariantException($"{values} values from {new FileInfo(path).Length} bytes");
    }
}
