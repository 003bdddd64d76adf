using System.Diagnostics;
using Nabla.Serialization;
using Nabla.Training;
using Xunit.Abstractions;

namespace Nabla.Cli.Tests;

/// <summary>Crash safety end to end: training killed with SIGKILL at random moments (and once in the middle of writing
/// a checkpoint), then resumed, ends with the same weights, bit for bit, as a run that was never interrupted.</summary>
public sealed class ResumeTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // The digits preset for 100 epochs (9,000 steps), a checkpoint every 20 steps: long enough to be killed mid-run.
    private static string[] Training(string output, int threads) =>
        ["train", "--epochs", "100", "--checkpoint-every", "20", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet", "--out", output];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Killed_at_random_moments_and_mid_checkpoint_then_resumed_it_ends_with_the_uninterrupted_weights(int threads)
    {
        Directory.CreateDirectory(_dir);
        var straight = NablaProcess.Run(_dir, Training("straight", threads));
        Assert.True(straight.ExitCode == 0, straight.Error);

        // First a kill in the middle of writing the 5th checkpoint: its temporary file is half written.
        using (var paused = NablaProcess.Start(_dir, new Dictionary<string, string> { ["NABLA_FAULT_PAUSE_CHECKPOINT"] = "5" }, Training("killed", threads)))
        {
            var stderr = paused.StandardError;
            Assert.Equal("checkpoint write paused", ReadLineWithin(stderr, TimeSpan.FromMinutes(1)));
            paused.Kill(entireProcessTree: true);   // SIGKILL
            paused.WaitForExit();
        }

        var checkpoints = Path.Combine(_dir, "killed", "checkpoints");
        Assert.Single(Directory.GetFiles(checkpoints, ".checkpoint-*.tmp"));   // the torn write, never renamed
        Assert.Equal(80, CheckpointStore.LoadLatest(checkpoints)!.Step);      // the 4th checkpoint is intact

        // Then kills at random moments, each run resuming the last.
        int seed = Environment.TickCount;
        var random = new Random(seed);
        log.WriteLine($"kill delays seeded with {seed}");
        for (int kill = 0; kill < 4; kill++)
        {
            using var run = NablaProcess.Start(_dir, null, "train", "--resume", "killed", "--quiet");
            int delay = random.Next(250, 1000);
            bool finished = run.WaitForExit(delay);
            if (!finished)
            {
                run.Kill(entireProcessTree: true);
                run.WaitForExit();
            }

            log.WriteLine($"run {kill + 1}: {(finished ? $"finished (exit {run.ExitCode})" : $"killed after {delay} ms")}, newest checkpoint: step {CheckpointStore.LoadLatest(checkpoints)?.Step}");
        }

        var last = NablaProcess.Run(_dir, "train", "--resume", "killed", "--quiet");
        Assert.True(last.ExitCode == 0, last.Error);
        Assert.Empty(Directory.GetFiles(checkpoints, ".checkpoint-*.tmp"));   // stale temporary files are swept
        AssertSameWeights(Path.Combine(_dir, "straight"), Path.Combine(_dir, "killed"));
    }

    [Fact]
    public void Ctrl_c_saves_a_checkpoint_and_exits_cleanly_and_the_run_resumes_to_the_same_end()
    {
        Directory.CreateDirectory(_dir);
        var straight = NablaProcess.Run(_dir, Training("straight", 1));
        Assert.True(straight.ExitCode == 0, straight.Error);

        // The signal goes after the first epoch's line, 99 epochs before the end: the run must be interrupted. A run that
        // prints no epoch line in time, or ends without being interrupted, fails the test; none returns without checking.
        using var run = NablaProcess.Start(_dir, null, Training("interrupted", 1));
        var output = run.StandardOutput;
        Assert.StartsWith("epoch   1/100", FirstEpochLineWithin(output, TimeSpan.FromMinutes(1)), StringComparison.Ordinal);
        using (var signal = Process.Start("kill", ["-INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) signal.WaitForExit();
        string rest = ReadToEndWithin(output, TimeSpan.FromMinutes(1));
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(1)), "the interrupted run did not exit within a minute");
        Assert.Equal(130, run.ExitCode);
        Assert.Contains("interrupted: checkpoint saved at step", rest, StringComparison.Ordinal);

        var resumed = NablaProcess.Run(_dir, "train", "--resume", "interrupted");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        AssertSameWeights(Path.Combine(_dir, "straight"), Path.Combine(_dir, "interrupted"));
    }

    [Fact]
    public void A_new_run_in_the_folder_of_an_earlier_one_is_the_run_that_resume_continues()
    {
        Directory.CreateDirectory(_dir);
        var longer = NablaProcess.Run(_dir, "train", "--epochs", "3", "--quiet", "--out", "run");
        Assert.True(longer.ExitCode == 0, longer.Error);
        var shorter = NablaProcess.Run(_dir, "train", "--epochs", "1", "--batch-size", "64", "--quiet", "--overwrite", "--out", "run");
        Assert.True(shorter.ExitCode == 0, shorter.Error);
        Assert.Contains("--overwrite: removed 2 checkpoint(s) of an earlier run", shorter.Output, StringComparison.Ordinal);
        var (saved, _) = SafeTensors.Read(Path.Combine(_dir, "run", ModelStore.WeightsFile));

        // The earlier run's checkpoints are gone, so resuming finds the new run finished and leaves its model as it is.
        Assert.Equal(23, CheckpointStore.LoadLatest(Path.Combine(_dir, "run", "checkpoints"))!.Step);
        var resumed = NablaProcess.Run(_dir, "train", "--resume", "run", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var (after, _) = SafeTensors.Read(Path.Combine(_dir, "run", ModelStore.WeightsFile));
        foreach (var (name, tensor) in saved)
            Assert.True(tensor.ToFloatArray().AsSpan().SequenceEqual(after[name].ToFloatArray()), $"{name} is not the new run's");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("the caller's text")]
    [InlineData("\"train\"")]
    [InlineData("[\"train\", null]")]
    public void A_checkpoint_without_the_runs_options_is_refused_with_one_line(string? settings)
    {
        // Checkpoints saved from C# carry whatever settings text their caller chose, or none.
        Directory.CreateDirectory(_dir);
        var run = NablaProcess.Run(_dir, "train", "--epochs", "1", "--quiet", "--out", "foreign");
        Assert.True(run.ExitCode == 0, run.Error);
        var checkpoints = Path.Combine(_dir, "foreign", "checkpoints");
        var checkpoint = CheckpointStore.LoadLatest(checkpoints)!;
        CheckpointStore.Save(checkpoints, checkpoint with { Settings = settings });

        var r = NablaProcess.Run(_dir, "train", "--resume", "foreign");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Contains("the checkpoint does not record the options of a nabla train run", r.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "train", "--resume", "nowhere" }, "--resume: folder 'nowhere' does not exist")]
    [InlineData(new[] { "train", "--resume", ".", "--lr", "0.5" }, "leave out --lr")]
    [InlineData(new[] { "train", "--resume", "." }, "holds no checkpoint")]
    [InlineData(new[] { "train", "--checkpoint-every", "-1" }, "--checkpoint-every")]
    public void Resume_mistakes_get_one_error_line(string[] args, string message)
    {
        Directory.CreateDirectory(_dir);
        var r = NablaProcess.Run(_dir, args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error, StringComparison.Ordinal);
        Assert.Single(r.Error.Trim().Split('\n'));
    }

    [Fact]
    public void A_diverging_run_names_the_step_and_layer_and_keeps_the_last_good_checkpoint()
    {
        Directory.CreateDirectory(_dir);
        var r = NablaProcess.Run(_dir, "train", "--lr", "30", "--momentum", "0.99", "--epochs", "20", "--checkpoint-every", "5", "--quiet", "--out", "diverged");
        log.WriteLine(r.Error);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Matches(@"^nabla: error: training stopped at step \d+: the (loss became (NaN|∞|-∞|Infinity)|gradients became NaN or infinite), first in .+; try a smaller learning rate; the last good checkpoint \(step \d+\) is kept in ", r.Error);
        Assert.NotNull(CheckpointStore.LoadLatest(Path.Combine(_dir, "diverged", "checkpoints")));
    }

    private static void AssertSameWeights(string expectedRun, string actualRun)
    {
        var (expected, _) = SafeTensors.Read(Path.Combine(expectedRun, ModelStore.WeightsFile));
        var (actual, _) = SafeTensors.Read(Path.Combine(actualRun, ModelStore.WeightsFile));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.ToFloatArray().AsSpan().SequenceEqual(actual[name].ToFloatArray()), $"{name} differs from the uninterrupted run");
    }

    /// <summary>The first line that starts with "epoch ", skipping the banner; fails when none comes in time.</summary>
    private static string FirstEpochLineWithin(StreamReader reader, TimeSpan timeout)
    {
        var task = Task.Run(() =>
        {
            for (string? line; (line = reader.ReadLine()) is not null;)
            {
                if (line.StartsWith("epoch ", StringComparison.Ordinal)) return line;
            }

            return null;
        });
        Assert.True(task.Wait(timeout), "no epoch line in time");
        return task.Result ?? throw new Xunit.Sdk.XunitException("the command ended without an epoch line");
    }

    private static string ReadToEndWithin(StreamReader reader, TimeSpan timeout)
    {
        var task = reader.ReadToEndAsync();
        Assert.True(task.Wait(timeout), "the command's output did not end in time");
        return task.Result;
    }

    private static string ReadLineWithin(StreamReader reader, TimeSpan timeout)
    {
        var task = Task.Run(() => reader.ReadLine() ?? "");
        Assert.True(task.Wait(timeout), "the command wrote nothing in time");
        return task.Result;
    }
}
