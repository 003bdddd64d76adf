using System.Globalization;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Cli.Tests;

/// <summary>What <c>nabla train</c> does with its --out folder: it refuses, before reading any data, a folder it cannot
/// write, another run's checkpoints (unless --overwrite) and a symbolic link for checkpoints; it resumes runs with
/// early stopping, and passes over a damaged checkpoint with one line saying so.</summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-runs-" + Guid.NewGuid().ToString("N"));

    public RunFolderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Two classes of 60 rows, two features.</summary>
    private string WriteCsv(string name)
    {
        var lines = new List<string> { "a,b,label" };
        for (int i = 0; i < 60; i++) lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i % 2 + 0.01 * i},{0.5 * (i % 2)},{(i % 2 == 0 ? "low" : "high")}"));
        File.WriteAllLines(Path.Combine(_dir, name), lines);
        return name;
    }

    private static string[] Lines(string text) => text.Trim().Split('\n');

    /// <summary>A CSV file that reading refuses (rows of different lengths): a refusal that names something else shows
    /// that the file was not read.</summary>
    private string WriteUnreadableCsv()
    {
        File.WriteAllText(Path.Combine(_dir, "ragged.csv"), "a,b,label\n1,2\n");
        return "ragged.csv";
    }

    [Fact]
    public void A_new_run_into_the_folder_of_another_run_is_refused_before_reading_data_unless_told_to_overwrite()
    {
        var first = NablaProcess.Run(_dir, "train", "--epochs", "1", "--hidden", "16", "--quiet", "--out", "x");
        Assert.True(first.ExitCode == 0, first.Error);
        var checkpoints = Path.Combine(_dir, "x", "checkpoints");
        var earlier = CheckpointStore.LoadLatest(checkpoints)!;
        var files = Directory.GetFiles(checkpoints).ToDictionary(f => f, File.ReadAllBytes);

        // The data file is unreadable: the refusal must come before it is read.
        var refused = NablaProcess.Run(_dir, "train", "--data", WriteUnreadableCsv(), "--epochs", "1", "--quiet", "--out", "x");
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("", refused.Output);
        var line = Assert.Single(Lines(refused.Error));
        Assert.StartsWith($"nabla: error: --out: 'x' holds the checkpoints of run {earlier.Run.Id[..8]} (", line, StringComparison.Ordinal);
        Assert.Contains("--overwrite", line, StringComparison.Ordinal);
        Assert.Equal(files.Keys.Order(), Directory.GetFiles(checkpoints).Order());
        Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));

        // --overwrite removes them only once the new run has passed its checks: a refused run leaves them.
        var refusedOverwrite = NablaProcess.Run(_dir, "train", "--data", WriteUnreadableCsv(), "--epochs", "1", "--quiet", "--overwrite", "--out", "x");
        Assert.Equal(1, refusedOverwrite.ExitCode);
        Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));

        // With --overwrite the earlier run's checkpoints go, said in one line, and --resume continues the new run.
        var csv = WriteCsv("two.csv");
        var replaced = NablaProcess.Run(_dir, "train", "--data", csv, "--epochs", "2", "--quiet", "--overwrite", "--out", "x");
        Assert.True(replaced.ExitCode == 0, replaced.Error);
        Assert.Single(Lines(replaced.Output), l => l.StartsWith("--overwrite: removed 1 checkpoint(s) of an earlier run from ", StringComparison.Ordinal));
        var newer = CheckpointStore.LoadLatest(checkpoints)!;
        Assert.NotEqual(earlier.Run.Id, newer.Run.Id);
        Assert.All(CheckpointStore.Files(checkpoints), f => Assert.Equal(newer.Run, f.Run));
        var resumed = NablaProcess.Run(_dir, "train", "--resume", "x", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains(Path.GetFullPath(Path.Combine(_dir, csv)), resumed.Output, StringComparison.Ordinal);
        Assert.Equal(newer.Run, CheckpointStore.LoadLatest(checkpoints)!.Run);
    }

    [Fact]
    public void A_diverging_run_after_overwrite_names_only_its_own_checkpoint()
    {
        var first = NablaProcess.Run(_dir, "train", "--epochs", "3", "--hidden", "16", "--quiet", "--out", "d");
        Assert.True(first.ExitCode == 0, first.Error);
        var r = NablaProcess.Run(_dir, "train", "--lr", "30", "--momentum", "0.99", "--epochs", "20", "--checkpoint-every", "5", "--quiet", "--overwrite", "--out", "d");
        Assert.Equal(1, r.ExitCode);
        var match = System.Text.RegularExpressions.Regex.Match(r.Error, @"the last good checkpoint \(step (\d+)\) is kept in ");
        Assert.True(match.Success, r.Error);
        var named = CheckpointStore.Load(Path.Combine(_dir, "d", "checkpoints", CheckpointStore.FileName(long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))));
        Assert.Contains("\"LearningRate\":30", named.Settings, StringComparison.Ordinal);   // the diverging run's own checkpoint
    }

    [Theory]
    [InlineData("{\"Epochs\":3}")]                 // no output folder: not a record the command wrote
    [InlineData("{\"Out\":\"x\",\"Epoks\":3}")]     // a field the record does not have
    public void A_checkpoint_whose_options_are_not_a_whole_train_record_is_refused_instead_of_resumed_with_defaults(string settings)
    {
        var fresh = NablaProcess.Run(_dir, "train", "--epochs", "1", "--hidden", "8", "--quiet", "--out", "foreign");
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        var checkpoints = Path.Combine(_dir, "foreign", "checkpoints");
        CheckpointStore.Save(checkpoints, CheckpointStore.LoadLatest(checkpoints)! with { Settings = settings });
        var resumed = NablaProcess.Run(_dir, "train", "--resume", "foreign");
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("does not record the options of a nabla train run", resumed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_keeps_the_runs_typed_options_and_one_that_kept_the_command_line_still_resumes()
    {
        var fresh = NablaProcess.Run(_dir, "train", "--epochs", "2", "--hidden", "8", "--lr", "0.05", "--quiet", "--out", "typed");
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        var checkpoints = Path.Combine(_dir, "typed", "checkpoints");
        var latest = CheckpointStore.LoadLatest(checkpoints)!;
        using (var options = System.Text.Json.JsonDocument.Parse(latest.Settings!))
        {
            Assert.Equal("8", options.RootElement.GetProperty("Hidden").GetString());
            Assert.Equal(0.05, options.RootElement.GetProperty("LearningRate").GetDouble());
            Assert.Equal(Path.GetFullPath(Path.Combine(_dir, "typed")), options.RootElement.GetProperty("Out").GetString());
        }

        // Checkpoints written before the options were typed kept the command line's tokens; --resume still reads them.
        var tokens = new[] { "--epochs", "3", "--hidden", "8", "--lr", "0.05", "--quiet", "--out", Path.GetFullPath(Path.Combine(_dir, "typed")) };
        CheckpointStore.Save(checkpoints, latest with { Settings = System.Text.Json.JsonSerializer.Serialize(tokens) });
        var resumed = NablaProcess.Run(_dir, "train", "--resume", "typed");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("resuming from", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 3", resumed.Output, StringComparison.Ordinal);   // the third epoch the old command line asked for
    }

    [Fact]
    public void An_out_that_is_a_file_or_under_a_file_is_refused_before_reading_data_naming_out_and_the_path()
    {
        File.WriteAllText(Path.Combine(_dir, "taken"), "a file");
        foreach (var (output, reason) in new[] { ("taken", "'taken' is a file, not a folder"), (Path.Combine("taken", "sub"), "is a file, not a folder") })
        {
            var r = NablaProcess.Run(_dir, "train", "--data", WriteUnreadableCsv(), "--epochs", "1", "--quiet", "--out", output);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Output);
            var line = Assert.Single(Lines(r.Error));
            Assert.StartsWith("nabla: error: --out: ", line, StringComparison.Ordinal);
            Assert.Contains($"'{output}'", line, StringComparison.Ordinal);
            Assert.Contains(reason, line, StringComparison.Ordinal);
        }

        Assert.Equal("a file", File.ReadAllText(Path.Combine(_dir, "taken")));
    }

    [Theory]
    [InlineData("/proc/nabla-out", "the folder cannot be created")]   // root may write anywhere, but not there
    [InlineData("/sys/kernel", "")]   // permission denied, or a read-only file system, as the machine mounts it
    public void An_out_that_cannot_be_written_is_refused_before_reading_data(string output, string reason)
    {
        var r = NablaProcess.Run(_dir, "train", "--data", WriteUnreadableCsv(), "--epochs", "1", "--quiet", "--out", output);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Output);
        var line = Assert.Single(Lines(r.Error));
        Assert.StartsWith($"nabla: error: --out: cannot write in '{output}': {reason}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_into_a_folder_that_cannot_be_made_names_the_target_file_not_its_temporary_one()
    {
        var train = NablaProcess.Run(_dir, "train", "--epochs", "1", "--hidden", "8", "--quiet", "--out", "m");
        Assert.True(train.ExitCode == 0, train.Error);
        File.WriteAllText(Path.Combine(_dir, "taken"), "a file");
        var target = Path.Combine("taken", "sub", "m.onnx");
        var r = NablaProcess.Run(_dir, "export", "--model", "m", "--onnx", target);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r.Error));
        Assert.Contains($"cannot write {target}: ", line, StringComparison.Ordinal);
        Assert.Contains("is a file, not a folder", line, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_with_early_stopping_resumes_to_the_weights_of_an_uninterrupted_run()
    {
        string[] Training(string output) => ["train", "--early-stopping", "1", "--epochs", "30", "--quiet", "--out", output];
        var straight = NablaProcess.Run(_dir, Training("straight"));
        Assert.True(straight.ExitCode == 0, straight.Error);
        var cut = NablaProcess.Run(_dir, Training("cut"));
        Assert.True(cut.ExitCode == 0, cut.Error);

        // As if it had been killed before its last checkpoint and before saving the model.
        var checkpoints = Path.Combine(_dir, "cut", "checkpoints");
        File.Delete(Directory.GetFiles(checkpoints, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).Last());
        File.Delete(Path.Combine(_dir, "cut", ModelStore.WeightsFile));
        var resumed = NablaProcess.Run(_dir, "train", "--resume", "cut", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        string Kept(string text) => Lines(text).Single(l => l.StartsWith("early stopping: kept the weights of epoch", StringComparison.Ordinal));
        Assert.Equal(Kept(straight.Output), Kept(resumed.Output));
        AssertSameWeights(Path.Combine(_dir, "straight"), Path.Combine(_dir, "cut"));
    }

    [Fact]
    public void A_damaged_newest_checkpoint_is_skipped_with_one_line_naming_it_and_why()
    {
        var run = NablaProcess.Run(_dir, "train", "--epochs", "2", "--quiet", "--out", "c");
        Assert.True(run.ExitCode == 0, run.Error);
        var checkpoints = Path.Combine(_dir, "c", "checkpoints");
        var newest = Path.Combine("c", "checkpoints", Path.GetFileName(Directory.GetFiles(checkpoints, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).Last()));
        var bytes = File.ReadAllBytes(Path.Combine(_dir, newest));
        for (int i = bytes.Length / 2; i < (bytes.Length / 2) + 16; i++) bytes[i] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(_dir, newest), bytes);

        var resumed = NablaProcess.Run(_dir, "train", "--resume", "c", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var line = Assert.Single(Lines(resumed.Error));
        Assert.StartsWith($"nabla: warning: skipped {newest}: ", line, StringComparison.Ordinal);
        Assert.Contains("checksum", line, StringComparison.Ordinal);
        Assert.Contains("resuming from", resumed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_folder_that_is_a_symbolic_link_is_refused_and_nothing_behind_it_is_deleted()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        var someoneElses = Path.Combine(elsewhere, CheckpointStore.FileName(9999));
        File.WriteAllText(someoneElses, "not this run's");
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "out", "checkpoints"), elsewhere);

        var r = NablaProcess.Run(_dir, "train", "--epochs", "1", "--quiet", "--out", "out");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(Lines(r.Error));
        Assert.StartsWith("nabla: error: --out: ", line, StringComparison.Ordinal);
        Assert.Contains("is a symbolic link", line, StringComparison.Ordinal);
        Assert.Equal("not this run's", File.ReadAllText(someoneElses));
    }

    private static void AssertSameWeights(string expectedRun, string actualRun)
    {
        var (expected, _) = SafeTensors.Read(Path.Combine(expectedRun, ModelStore.WeightsFile));
        var (actual, _) = SafeTensors.Read(Path.Combine(actualRun, ModelStore.WeightsFile));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.ToFloatArray().AsSpan().SequenceEqual(actual[name].ToFloatArray()), $"{name} differs from the uninterrupted run");
    }
}
