using Nabla.Data.Datasets;
using Nabla.Fuzz.Engine;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Fuzz.Targets;

/// <summary>Checkpoint bytes (<see cref="CheckpointStore.Load(ReadOnlyMemory{byte}, string)"/>): safetensors whose
/// metadata holds the checkpoint's JSON description.</summary>
internal sealed class CheckpointTarget : FuzzTarget
{
    public override string Name => "checkpoint";

    public override string Description => "CheckpointStore.Load of checkpoint bytes";

    public override string FileName => "fuzz-checkpoint.safetensors";

    // The description is JSON inside the header: token mutations reach its fields.
    public override InputStyle Style => InputStyle.Text;

    public override IReadOnlyList<byte[]> Dictionary { get; } = Words.Of(
        "nabla.checkpoint", "Version", "CompletedEpochs", "BatchesInEpoch", "Step", "LearningRate", "InitialLearningRate", "History",
        "Running", "LossSum", "Correct", "Seen", "Settings", "Counters", "DropoutDraws", ".draws", "model.", "optimizer.", "slot0.param0", "NaN", "Infinity", "null", "-1");

    // SHA-256 over the description and every tensor: a mutant is accepted only when it changed what reading discards.
    public override bool SealedByChecksum => true;

    public override IReadOnlyList<byte[]> Seeds() =>
    [
        Train("fc16-relu-fc10", optimizer: "sgd", everySteps: 0),
        Train("fc16-bn-relu-dropout0.2-fc10", optimizer: "adam", everySteps: 3),
    ];

    public override void Run(byte[] input)
    {
        var checkpoint = CheckpointStore.Load(input, FileName);
        if (checkpoint.History.Count != checkpoint.CompletedEpochs || checkpoint.Step < 0 || !(checkpoint.LearningRate > 0))
            throw new InvariantException($"an accepted checkpoint at epoch {checkpoint.CompletedEpochs}, step {checkpoint.Step}, rate {checkpoint.LearningRate}, with {checkpoint.History.Count} epochs of history");
        long values = checkpoint.ModelState.Values.Concat(checkpoint.OptimizerState.Values).Sum(t => (long)t.Count);
        if (values > input.Length) throw new InvariantException($"{values} values from {input.Length} bytes");
    }

    /// <summary>The newest checkpoint of a short run on 60 digits: a real file, as the trainer writes it.</summary>
    private static byte[] Train(string architecture, string optimizer, int everySteps)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"nabla-fuzz-checkpoint-{Guid.NewGuid():N}");
        try
        {
            var data = Digits.Load().Subset(Enumerable.Range(0, 60).ToArray());
            var (model, _) = Architecture.Build(architecture, [64], new Random(1));
            Optimizer update = optimizer == "adam" ? new Adam(model.Parameters(), 0.01) : new Sgd(model.Parameters(), 0.1, momentum: 0.9);
            var trainer = new Trainer(model, new CrossEntropyLoss(), update);
            trainer.Fit(data, null, new TrainingOptions(2, BatchSize: 16, Checkpoints: new CheckpointOptions(directory, everySteps, Settings: "[\"train\"]")));
            var newest = Directory.GetFiles(directory, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).Last();
            return File.ReadAllBytes(newest);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
