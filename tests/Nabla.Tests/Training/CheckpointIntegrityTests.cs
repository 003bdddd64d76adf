using System.Buffers.Binary;
using System.Text.Json;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Checkpoints as untrusted files: a damaged one is detected by its checksum (or its non-finite values) and
/// passed over with a report, and a checkpoint folder that is a symbolic link is refused.</summary>
public sealed class CheckpointIntegrityTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static readonly (Dataset Train, Dataset Test) Digits = Nabla.Data.Datasets.Digits.LoadSplit();

    /// <summary>An Adam run of one epoch (15 steps) with a checkpoint every 5 steps, all kept; returns the folder.</summary>
    private string Checkpoints(string name)
    {
        var directory = _files.PathOf(name);
        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01))
            .Fit(Digits.Train, null, new TrainingOptions(1, 100, 5, Checkpoints: new CheckpointOptions(directory, EverySteps: 5, Keep: 10)));
        return directory;
    }

    [Fact]
    public void Sixteen_flipped_bytes_in_the_middle_are_detected_and_the_checkpoint_before_is_loaded_with_one_report()
    {
        var directory = Checkpoints("flipped");
        var newest = Path.Combine(directory, CheckpointStore.FileName(15));
        var bytes = File.ReadAllBytes(newest);
        long dataStart = 8 + BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.True(dataStart < bytes.Length / 2, "the middle of the file is tensor data");
        for (int i = bytes.Length / 2; i < (bytes.Length / 2) + 16; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(newest, bytes);

        var e = Assert.Throws<DataFormatException>(() => CheckpointStore.Load(newest));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        var skipped = new List<string>();
        Assert.Equal(10, CheckpointStore.LoadLatest(directory, s => skipped.Add(s.Message))!.Step);
        var report = Assert.Single(skipped);
        Assert.StartsWith(newest, report, StringComparison.Ordinal);
        Assert.Contains("do not match its sha256 checksum", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_newest_checkpoint_never_falls_back_to_another_runs_checkpoint()
    {
        // Run B's step-5 checkpoint copied under run A's damaged newest: resuming from it would continue B, not A.
        var directory = Checkpoints("mine");
        var other = Checkpoints("other");
        foreach (int step in new[] { 5, 10 }) File.Delete(Path.Combine(directory, CheckpointStore.FileName(step)));
        File.Copy(Path.Combine(other, CheckpointStore.FileName(5)), Path.Combine(directory, CheckpointStore.FileName(5)));
        var newest = Path.Combine(directory, CheckpointStore.FileName(15));
        var bytes = File.ReadAllBytes(newest);
        bytes[^1] ^= 0x5A;   // the last value: the checksum fails, the header (and its run) still reads
        File.WriteAllBytes(newest, bytes);

        // Refused with the newest's own problem, as when nothing is readable; never B's checkpoint, with or without a report.
        var skipped = new List<string>();
        var e = Assert.Throws<DataFormatException>(() => CheckpointStore.LoadLatest(directory, s => skipped.Add(s.Message)));
        Assert.StartsWith(newest, e.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        Assert.Empty(skipped);
    }

    [Fact]
    public void Nan_written_into_the_optimiser_state_of_the_file_is_detected()
    {
        var directory = Checkpoints("nan-bytes");
        var newest = Path.Combine(directory, CheckpointStore.FileName(15));
        var bytes = File.ReadAllBytes(newest);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var moment = header.RootElement.EnumerateObject().First(p => p.Name.StartsWith("optimizer.", StringComparison.Ordinal) && p.Value.GetProperty("dtype").GetString() == "F32");
        long begin = 8 + headerLength + moment.Value.GetProperty("data_offsets")[0].GetInt64();
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)begin), float.NaN);
        File.WriteAllBytes(newest, bytes);

        var e = Assert.Throws<DataFormatException>(() => CheckpointStore.Load(newest));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        Assert.Equal(10, CheckpointStore.LoadLatest(directory)!.Step);
    }

    [Fact]
    public void Nan_in_the_optimiser_state_is_refused_even_under_a_valid_checksum()
    {
        // Saved through the store, the checksum is right; the values still cannot come from a run that did not diverge.
        var directory = Checkpoints("nan-saved");
        var checkpoint = CheckpointStore.LoadLatest(directory)!;
        var (name, moment) = checkpoint.OptimizerState.First(p => p.Value.Count > 0);
        var poisoned = moment.Clone();
        poisoned.AsSpan<float>()[0] = float.NaN;
        var state = checkpoint.OptimizerState.ToDictionary(p => p.Key, p => p.Key == name ? poisoned : p.Value);
        var path = CheckpointStore.Save(directory, checkpoint with { Step = 16, OptimizerState = state });

        var e = Assert.Throws<DataFormatException>(() => CheckpointStore.Load(path));
        Assert.Contains($"tensor 'optimizer.{name}' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_folder_that_is_a_symbolic_link_is_refused_before_training_and_nothing_behind_it_is_deleted()
    {
        var elsewhere = Directory.CreateDirectory(_files.PathOf("elsewhere")).FullName;
        var someoneElses = Path.Combine(elsewhere, CheckpointStore.FileName(9999));
        File.WriteAllText(someoneElses, "not this run's");
        var link = _files.PathOf("checkpoints");
        Directory.CreateSymbolicLink(link, elsewhere);

        var model = new Mlp(new MlpSpec(64, [16], 10), seed: 0);
        var before = model.Parameters().First().ToFloatArray();
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var e = Assert.Throws<IOException>(() => trainer.Fit(Digits.Train, null, new TrainingOptions(1, 100, Checkpoints: new CheckpointOptions(link))));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters().First().ToFloatArray());
        Assert.Equal("not this run's", File.ReadAllText(someoneElses));
        Assert.Throws<IOException>(() => CheckpointStore.Save(link, CheckpointStore.LoadLatest(Checkpoints("real"))!));
        Assert.Single(Directory.GetFiles(elsewhere));
    }
}
