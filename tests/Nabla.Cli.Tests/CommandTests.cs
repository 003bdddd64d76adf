using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Nabla.Cli.Tests;

/// <summary>End-to-end runs of the command, as a user would type them.</summary>
public sealed partial class CommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-cli-" + Guid.NewGuid().ToString("N"));

    public CommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_with_no_options_reaches_97_percent_on_the_digits_and_the_model_evaluates_and_summarises()
    {
        var train = NablaProcess.Run(_dir, "train");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Equal(40, EpochLine().Matches(train.Output).Count);
        var accuracy = double.Parse(FinalAccuracy().Match(train.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 97.0, train.Output);
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "digits", "model.safetensors")));

        var eval = NablaProcess.Run(_dir, "eval", "--model", "runs/digits");
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains($"accuracy {accuracy.ToString("F2", CultureInfo.InvariantCulture)}%", eval.Output, StringComparison.Ordinal);
        Assert.Contains("true \\ predicted", eval.Output, StringComparison.Ordinal);

        var summary = NablaProcess.Run(_dir, "summary", "--model", "runs/digits");
        Assert.True(summary.ExitCode == 0, summary.Error);
        Assert.Contains("Total parameters: 19,210", summary.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_names_the_command_nabla_not_the_assembly()
    {
        var root = NablaProcess.Run(_dir, "--help");
        Assert.True(root.ExitCode == 0, root.Error);
        Assert.Contains("nabla [command] [options]", root.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Nabla.Cli", root.Output, StringComparison.Ordinal);

        var train = NablaProcess.Run(_dir, "train", "--help");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("nabla train [options]", train.Output, StringComparison.Ordinal);

        var version = NablaProcess.Run(_dir, "--version");
        Assert.True(version.ExitCode == 0, version.Error);
        var informational = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(informational, version.Output.Trim());
    }

    [Fact]
    public void Summary_counts_the_parameters_of_a_network_given_by_options()
    {
        var r = NablaProcess.Run(_dir, "summary", "--dataset", "fashion-mnist", "--hidden", "512,256");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Total parameters: 535,818", r.Output, StringComparison.Ordinal);
        Assert.Contains("layers.4", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradcheck_passes_for_every_activation_loss_and_regulariser()
    {
        var r = NablaProcess.Run(_dir, "gradcheck");
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Contains("72 of 72 checks passed", r.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", r.Output, StringComparison.Ordinal);
        foreach (var name in new[] { "relu", "tanh", "sigmoid", "leaky-relu", "elu", "silu", "softplus", "gelu", "cross-entropy", "mse", "hinge", "L2 penalty", "L1 penalty" })
            Assert.Contains(name, r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_training_run_on_small_idx_files_in_a_data_folder_works()
    {
        var data = FashionFolder(images: 40, labels: 40);
        var r = NablaProcess.Run(_dir, "train", "--dataset", "fashion-mnist", "--data", data, "--hidden", "8", "--epochs", "2", "--out", "small");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("epoch   2/2", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_given_by_a_description_trains_saves_evaluates_and_summarises()
    {
        var output = Path.Combine(_dir, "cnn");
        var r = NablaProcess.Run(_dir, "train", "--model", "conv8k3p1-relu-pool2-flatten-fc10", "--epochs", "3", "--out", output);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("conv8k3p1-relu-pool2-flatten-fc10: 1,370 parameters", r.Output, StringComparison.Ordinal);   // 8·9+8 + 128·10+10
        var accuracy = double.Parse(System.Text.RegularExpressions.Regex.Match(r.Output, @"test accuracy ([\d.]+)%").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 85, $"3 epochs of a small CNN on the digits: {accuracy}%");

        var eval = NablaProcess.Run(_dir, "eval", "--model", output);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains($"accuracy {accuracy.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}%", eval.Output, StringComparison.Ordinal);
        var summary = NablaProcess.Run(_dir, "summary", "--model", output);
        Assert.True(summary.ExitCode == 0, summary.Error);
        Assert.Contains("1,370", summary.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_sanity_runs_the_lecture_checks_and_fails_when_the_learning_rate_cannot_learn()
    {
        var ok = NablaProcess.Run(_dir, "train", "--sanity");
        Assert.True(ok.ExitCode == 0, ok.Error + ok.Output);
        Assert.Contains("sanity checks passed", ok.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));   // nothing trained, nothing saved
        var stuck = NablaProcess.Run(_dir, "train", "--sanity", "--lr", "1e-9", "--momentum", "0");
        Assert.Equal(1, stuck.ExitCode);
        Assert.Contains("overfit 20 examples", stuck.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED", stuck.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Early_stopping_watches_a_validation_split_and_the_csv_log_gets_a_row_per_epoch()
    {
        var csv = Path.Combine(_dir, "log.csv");
        var r = NablaProcess.Run(_dir, "train", "--early-stopping", "1", "--epochs", "60", "--log-csv", csv, "--out", "es");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("validation", r.Output, StringComparison.Ordinal);
        Assert.Contains("early stopping: kept the weights of epoch", r.Output, StringComparison.Ordinal);
        int epochs = r.Output.Split('\n').Count(l => l.StartsWith("epoch ", StringComparison.Ordinal));
        Assert.Equal(epochs + 1, File.ReadAllLines(csv).Length);
    }

    [Fact]
    public void Train_with_plots_writes_the_curves_the_confusion_matrix_and_the_first_layer_as_pngs()
    {
        var r = NablaProcess.Run(_dir, "train", "--epochs", "2", "--plots", "--out", "plotted");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("plots: loss.png, accuracy.png, confusion.png, weights.png", r.Output, StringComparison.Ordinal);
        foreach (var name in new[] { "loss.png", "accuracy.png", "confusion.png", "weights.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, "plotted", name));
            Assert.True(bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G']), name);
        }
    }

    [Fact]
    public void Demo_boundary_draws_the_decision_regions_and_refuses_an_unknown_dataset()
    {
        var r = NablaProcess.Run(_dir, "demo", "boundary", "--hidden", "2", "--dataset", "moons", "--epochs", "20");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("moons, 2 hidden units", r.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "boundary-moons-2.png")));

        var bad = NablaProcess.Run(_dir, "demo", "boundary", "--dataset", "swiss-roll");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("nabla: error: --dataset: unknown toy dataset 'swiss-roll' (expected spiral, moons or circles)", bad.Error.Trim());
    }

    [Fact]
    public void Reduce_on_plateau_watches_a_validation_split_and_the_test_set_is_scored_once_at_the_end()
    {
        var r = NablaProcess.Run(_dir, "train", "--schedule", "plateau", "--epochs", "3", "--out", "plateau");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(3, r.Output.Split('\n').Count(l => l.StartsWith("epoch ", StringComparison.Ordinal) && l.Contains("validation", StringComparison.Ordinal)));
        var eval = NablaProcess.Run(_dir, "eval", "--model", "plateau");
        var accuracy = FinalAccuracy().Match(r.Output).Groups[1].Value;
        Assert.Contains($"accuracy {accuracy}%", eval.Output, StringComparison.Ordinal);   // the figure printed is the test set's
    }

    [Fact]
    public void Quiet_training_writes_plain_lines_and_the_json_log_one_object_per_epoch()
    {
        var json = Path.Combine(_dir, "log.jsonl");
        var r = NablaProcess.Run(_dir, "train", "--epochs", "3", "--quiet", "--log-json", json, "--out", "quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.DoesNotContain('\r', r.Output);
        Assert.Equal(3, EpochLine().Matches(r.Output).Count);
        var lines = File.ReadAllLines(json);
        Assert.Equal(3, lines.Length);
        using var last = System.Text.Json.JsonDocument.Parse(lines[^1]);
        Assert.Equal(3, last.RootElement.GetProperty("epoch").GetInt32());
        Assert.InRange(last.RootElement.GetProperty("val_accuracy").GetDouble(), 0.5, 1);
    }

    [Theory]
    [InlineData("--model conv8k3-fc10", "'fc10'")]
    [InlineData("--model conv8k3p1-relu-pool2-flatten-fc7", "10 classes")]
    [InlineData("--model fc10 --hidden 5", "--hidden")]
    [InlineData("--model conv8k3p1-bogus", "'bogus'")]
    [InlineData("--optimizer lion", "lion")]
    [InlineData("--loss mse --label-smoothing 0.1", "--label-smoothing")]
    [InlineData("--label-smoothing 1", "--label-smoothing")]
    [InlineData("--clip-norm 0", "--clip-norm")]
    [InlineData("--hidden abc", "--hidden")]
    [InlineData("--lr -1", "--lr")]
    [InlineData("--epochs 0", "--epochs")]
    [InlineData("--activation mish", "mish")]
    [InlineData("--dataset cifar", "cifar")]
    [InlineData("--bogus 3", "--bogus")]
    [InlineData("--dataset fashion-mnist --data /no/such/folder", "/no/such/folder")]
    public void Bad_options_give_a_one_line_error_and_a_non_zero_exit_code(string arguments, string named)
    {
        var r = NablaProcess.Run(_dir, ["train", .. arguments.Split(' ')]);
        AssertCleanError(r, named);
    }

    [Fact]
    public void Verbose_training_says_how_its_steps_ran_and_what_they_allocated()
    {
        // Each batch shape (the full batches, the last partial one) is captured once, eagerly, and every other step
        // is a replay of its capture.
        var captured = NablaProcess.Run(_dir, "train", "--epochs", "2", "--quiet", "--verbose", "--out", "captured");
        Assert.True(captured.ExitCode == 0, captured.Error);
        var line = Assert.Single(captured.Output.Split('\n'), l => l.StartsWith("steps: ", StringComparison.Ordinal));
        var c = System.Text.RegularExpressions.Regex.Match(line, @"^steps: (\d+), (\d+) replayed from (\d+) captures, (\d+) eager; \d+ B allocated per step");
        Assert.True(c.Success, line);
        int steps = int.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture), replayed = int.Parse(c.Groups[2].Value, CultureInfo.InvariantCulture);
        int captures = int.Parse(c.Groups[3].Value, CultureInfo.InvariantCulture), eagerSteps = int.Parse(c.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.Equal(steps, replayed + eagerSteps);
        Assert.InRange(captures, 1, 2);
        Assert.Equal(captures, eagerSteps);
        Assert.True(replayed > eagerSteps, line);
        Assert.DoesNotContain("not captured", captured.Output, StringComparison.Ordinal);

        // Every built-in loss is captured, label smoothing and the other losses included.
        foreach (var loss in new[] { new[] { "--label-smoothing", "0.1" }, ["--loss", "hinge"], ["--loss", "mse"] })
        {
            var other = NablaProcess.Run(_dir, ["train", "--epochs", "1", "--quiet", "--verbose", "--activation", "gelu", .. loss, "--out", "other"]);
            Assert.True(other.ExitCode == 0, other.Error);
            Assert.Matches(@"steps: \d+, [1-9]\d* replayed from [12] captures, [12] eager; \d+ B allocated per step", other.Output);
            Assert.DoesNotContain("not captured", other.Output, StringComparison.Ordinal);
            Directory.Delete(Path.Combine(_dir, "other"), recursive: true);
        }

        Assert.DoesNotContain("steps: ", NablaProcess.Run(_dir, "train", "--epochs", "1", "--quiet", "--out", "plain").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_W2_reports_a_median_step_time_and_no_allocation_on_captured_steps()
    {
        var r = NablaProcess.Run(_dir, "bench", "W2", "--runs", "1");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("W2, captured steps: 1 thread(s)", r.Output, StringComparison.Ordinal);
        Assert.Matches(@"W2 median: \d+\.\d+ µs per step", r.Output);
        Assert.Contains("(0 B allocated per step", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_W1_trains_on_synthetic_data_at_the_batch_asked()
    {
        var r = NablaProcess.Run(_dir, "bench", "W1", "--synthetic", "--batch-size", "4096", "--runs", "1");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Matches(@"W1 run 1: +\d+ samples/s  \(15 steps in", r.Output);   // 60,000 examples in batches of 4,096
        Assert.Matches(@"W1 median: \d+ samples/s \(batch 4096\)", r.Output);
    }

    [Theory]
    [InlineData("W9", "W9")]
    [InlineData("W2 --data /tmp", "--data")]
    [InlineData("W1 --runs 0", "--runs")]
    [InlineData("W1 --threads 0", "--threads")]
    [InlineData("W1 --data /no/such/folder", "/no/such/folder")]
    [InlineData("W6 --data /no/such/folder", "/no/such/folder")]
    [InlineData("W3 --profile", "--profile")]
    [InlineData("W4 --profile --eager", "--profile")]
    [InlineData("W2 --synthetic", "--synthetic")]
    [InlineData("W1 --synthetic --data /tmp", "--synthetic")]
    [InlineData("W1 --batch-size 0", "--batch-size")]
    public void Bench_rejects_a_bad_workload_or_option_in_one_line(string arguments, string named)
    {
        var r = NablaProcess.Run(_dir, ["bench", .. arguments.Split(' ')]);
        AssertCleanError(r, named);
        Assert.Equal("", r.Output);
    }

    [Fact]
    public void A_truncated_idx_file_is_reported()
    {
        var data = FashionFolder(images: 40, labels: 40, truncateImages: true);
        AssertCleanError(NablaProcess.Run(_dir, "train", "--dataset", "fashion-mnist", "--data", data), "truncated");
    }

    [Fact]
    public void An_idx_file_with_a_wrong_magic_number_is_reported()
    {
        var data = FashionFolder(images: 40, labels: 40, badMagic: true);
        AssertCleanError(NablaProcess.Run(_dir, "train", "--dataset", "fashion-mnist", "--data", data), "magic number");
    }

    [Fact]
    public void A_label_file_whose_count_differs_from_its_images_is_reported()
    {
        var data = FashionFolder(images: 40, labels: 39);
        AssertCleanError(NablaProcess.Run(_dir, "train", "--dataset", "fashion-mnist", "--data", data), "39 labels");
    }

    [Fact]
    public void A_model_file_that_is_not_a_model_is_reported()
    {
        var fake = Path.Combine(_dir, "fake");
        Directory.CreateDirectory(fake);
        File.WriteAllText(Path.Combine(fake, "model.json"), "this is not json");
        AssertCleanError(NablaProcess.Run(_dir, "eval", "--model", fake), "not a Nabla model");
        AssertCleanError(NablaProcess.Run(_dir, "eval", "--model", Path.Combine(_dir, "missing")), "missing");
    }

    [Fact]
    public void A_trained_model_and_a_described_network_export_to_onnx()
    {
        var train = NablaProcess.Run(_dir, "train", "--hidden", "16", "--epochs", "2", "--out", "tiny");
        Assert.True(train.ExitCode == 0, train.Error);
        var r = NablaProcess.Run(_dir, "export", "--model", "tiny", "--onnx", "tiny.onnx");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal("", r.Error);
        Assert.Single(r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("wrote tiny.onnx", r.Output, StringComparison.Ordinal);
        Assert.Contains("opset 17", r.Output, StringComparison.Ordinal);
        Assert.Contains("(batch, 64) → 'logits' (batch, 10)", r.Output, StringComparison.Ordinal);
        // A ModelProto: field 1 (ir_version) = 8, then field 2 (producer_name), 5 bytes: "Nabla".
        var bytes = File.ReadAllBytes(Path.Combine(_dir, "tiny.onnx"));
        Assert.Equal(new byte[] { 0x08, 0x08, 0x12, 0x05 }, bytes[..4]);
        Assert.Equal("Nabla", System.Text.Encoding.ASCII.GetString(bytes, 4, 5));
        Assert.True(bytes.Length > 4 * ((64 * 16) + (16 * 10)), $"{bytes.Length} bytes cannot hold the weights");

        var cnn = NablaProcess.Run(_dir, "train", "--model", "conv4k3p1-bn-relu-pool2-dropout0.1-flatten-fc10", "--epochs", "1", "--out", "cnn");
        Assert.True(cnn.ExitCode == 0, cnn.Error);
        var export = NablaProcess.Run(_dir, "export", "--model", "cnn", "--onnx", Path.Combine("out", "cnn.onnx"));
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("conv4k3p1-bn-relu-pool2-dropout0.1-flatten-fc10 as ONNX", export.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "out", "cnn.onnx")));
    }

    [Theory]
    [InlineData("--model missing --onnx m.onnx", "missing")]
    [InlineData("--model", "--model")]
    [InlineData("--onnx m.onnx", "--model")]
    public void Export_errors_are_one_line_with_a_non_zero_exit_code(string arguments, string named)
    {
        var r = NablaProcess.Run(_dir, ["export", .. arguments.Split(' ')]);
        AssertCleanError(r, named);
        Assert.False(File.Exists(Path.Combine(_dir, "m.onnx")));
    }

    [Fact]
    public void Export_needs_an_output_file_and_a_real_model()
    {
        AssertCleanError(NablaProcess.Run(_dir, "export", "--model", _dir), "--onnx");
        var fake = Path.Combine(_dir, "fake");
        Directory.CreateDirectory(fake);
        File.WriteAllText(Path.Combine(fake, "model.json"), "{}");
        var r = NablaProcess.Run(_dir, "export", "--model", fake, "--onnx", "fake.onnx");
        AssertCleanError(r, "not a Nabla model");
        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(Path.Combine(_dir, "fake.onnx")));
    }

    private static void AssertCleanError(NablaProcess.Result r, string named)
    {
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(named, r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Error, StringComparison.Ordinal);
        var firstLine = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Contains(named, firstLine, StringComparison.Ordinal);
    }

    /// <summary>A folder of the four Fashion-MNIST IDX files with random 28×28 images, optionally broken.</summary>
    private string FashionFolder(int images, int labels, bool truncateImages = false, bool badMagic = false)
    {
        var folder = Path.Combine(_dir, "data-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        foreach (var prefix in new[] { "train", "t10k" })
        {
            var pixels = new byte[images * 28 * 28];
            random.NextBytes(pixels);
            var imageBytes = TestFiles.Idx([images, 28, 28], pixels);
            if (badMagic) imageBytes[0] = 0x50;
            if (truncateImages) imageBytes = imageBytes[..^100];
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), imageBytes);
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), TestFiles.Idx([labels], Enumerable.Range(0, labels).Select(i => (byte)(i % 10)).ToArray()));
        }

        return folder;
    }

    [GeneratedRegex(@"^epoch +\d+/\d+ +loss [\d.]+ +train [\d.]+% +test [\d.]+% +[\d.]+ s$", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"test accuracy ([\d.]+)%")]
    private static partial Regex FinalAccuracy();
}
