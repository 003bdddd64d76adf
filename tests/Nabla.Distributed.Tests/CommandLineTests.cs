using System.Diagnostics;
using System.Globalization;

namespace Nabla.Distributed.Tests;

/// <summary><c>mpirun -np N nabla train</c> as a user runs it: one banner and one result from rank 0, a killed rank that
/// takes the job down and a run that resumes to the same weights, ranks that disagree refused, and Open MPI needed only
/// under mpirun.</summary>
[Collection(MpiCollection.Name)]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nabla-mpi-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Nabla => MpiRun.Dll("Nabla.Cli");

    [MpiFact]
    public void Two_ranks_train_and_only_rank_0_prints_and_saves()
    {
        var r = MpiRun.Ranks(2, Nabla, ["train", "--epochs", "3", "--threads", "1", "--quiet", "--out", "run"], _folder);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Error}");
        Assert.Single(Lines(r.Output), l => l.Contains("2 ranks × 1 thread(s)", StringComparison.Ordinal));
        var result = Assert.Single(Lines(r.Output), l => l.StartsWith("test accuracy", StringComparison.Ordinal));
        double accuracy = double.Parse(result.Split(' ')[2].TrimEnd('%', ';'), CultureInfo.InvariantCulture);
        Assert.True(accuracy > 90, result);   // the digits after 3 epochs: trained, not merely run
        Assert.True(File.Exists(Path.Combine(_folder, "run", "model.safetensors")));
        Assert.Equal(3, Lines(r.Output).Count(l => l.StartsWith("epoch", StringComparison.Ordinal)));
    }

    [MpiFact]
    public void Sync_bn_is_said_in_the_banner_and_kept_by_resume()
    {
        var r = MpiRun.Ranks(2, Nabla, ["train", "--model", "flatten-fc64-bn-relu-fc10", "--sync-bn", "--epochs", "2", "--threads", "1", "--quiet", "--out", "bn"], _folder);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Error}");
        Assert.Single(Lines(r.Output), l => l.Contains("2 ranks × 1 thread(s), batch norm synchronised", StringComparison.Ordinal));

        // The run's options, --sync-bn among them, come back from its checkpoint.
        var resumed = MpiRun.Ranks(2, Nabla, ["train", "--resume", "bn"], _folder);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Single(Lines(resumed.Output), l => l.Contains("batch norm synchronised", StringComparison.Ordinal));
    }

    [MpiFact]
    public void A_killed_rank_ends_the_job_and_resume_finishes_with_the_weights_of_a_run_never_killed()
    {
        // The digits preset for 300 epochs (27,000 steps, about 12 s on 2 ranks), a checkpoint every 20 steps.
        string[] training = ["train", "--epochs", "300", "--checkpoint-every", "20", "--threads", "1", "--quiet"];
        var straight = MpiRun.Ranks(2, Nabla, [.. training, "--out", "straight"], _folder);
        Assert.True(straight.ExitCode == 0, straight.Error);

        using var job = MpiRun.StartRanks(2, Nabla, [.. training, "--out", "killed"], _folder);
        var output = job.StandardOutput.ReadToEndAsync();
        var error = job.StandardError.ReadToEndAsync();
        var checkpoints = Path.Combine(_folder, "killed", "checkpoints");
        var waited = Stopwatch.StartNew();
        while (!(Directory.Exists(checkpoints) && Directory.GetFiles(checkpoints, "checkpoint-*.safetensors").Length > 0) && waited.Elapsed < TimeSpan.FromMinutes(2) && !job.HasExited) Thread.Sleep(50);
        Thread.Sleep(300);
        if (job.HasExited) Assert.Fail($"the job ended before a rank could be killed: {output.Result} {error.Result}");   // (.Result waits for the end)

        // SIGKILL one rank (a child of mpirun): within 30 s every rank has exited and mpirun returns non-zero.
        var ranks = Children(job.Id);
        Assert.True(ranks.Count == 2, $"mpirun ({job.Id}) has {ranks.Count} child processes, not 2");
        using (var kill = Process.Start("kill", ["-KILL", ranks[^1].ToString(CultureInfo.InvariantCulture)])) kill.WaitForExit();
        var clock = Stopwatch.StartNew();
        Assert.True(job.WaitForExit(TimeSpan.FromSeconds(30)), $"the job did not end within 30 s of a rank's death ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.NotEqual(0, job.ExitCode);
        Assert.All(ranks, pid => Assert.False(Alive(pid), $"rank process {pid} outlived the job"));

        var resumed = MpiRun.Ranks(2, Nabla, ["train", "--resume", "killed", "--quiet"], _folder);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("resuming from", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_folder, "straight", "model.safetensors")), File.ReadAllBytes(Path.Combine(_folder, "killed", "model.safetensors")));
    }

    [MpiFact]
    public void A_rank_started_with_other_options_is_refused_in_one_line()
    {
        var r = MpiRun.Raw(["-np", "1", "dotnet", Nabla, "train", "--seed", "1", "--epochs", "1", "--quiet", "--out", "a", ":", "-np", "1", "dotnet", Nabla, "train", "--seed", "2", "--epochs", "1", "--quiet", "--out", "a"], _folder);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(Lines(r.Error), l => l.StartsWith("nabla:", StringComparison.Ordinal));
        Assert.Contains("the model or options of rank(s) 1 differ from rank 0's", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "a", "model.safetensors")));
    }

    [MpiFact]
    public void A_failure_of_one_rank_alone_is_printed_by_that_rank_and_ends_the_job()
    {
        // Rank 1 cannot write its --out (a disk of its own machine); rank 0 goes on to the first collective, where it
        // would wait for ever if rank 1 merely exited.
        var r = MpiRun.Raw(["-np", "1", "dotnet", Nabla, "train", "--epochs", "1", "--quiet", "--out", "fine", ":", "-np", "1", "dotnet", Nabla, "train", "--epochs", "1", "--quiet", "--out", "/proc/nabla-cannot-write-here"], _folder);
        Assert.NotEqual(0, r.ExitCode);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(60), $"the job took {r.Elapsed.TotalSeconds:F0} s to end");
        var line = Assert.Single(Lines(r.Error), l => l.StartsWith("nabla:", StringComparison.Ordinal));
        Assert.StartsWith("nabla: error (rank 1): --out: cannot write in '/proc/nabla-cannot-write-here'", line, StringComparison.Ordinal);
    }

    [MpiFact]
    public void A_last_batch_smaller_than_the_rank_count_is_refused_in_one_line()
    {
        // The digits' 1,438 training examples in batches of 1,437 leave 1 for the last batch: one of 2 ranks would have none.
        var r = MpiRun.Ranks(2, Nabla, ["train", "--batch-size", "1437", "--epochs", "1", "--quiet", "--out", "small"], _folder);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(Lines(r.Error), l => l.StartsWith("nabla:", StringComparison.Ordinal));
        Assert.Contains("the last batch of each epoch holds 1 example(s) of 1438, which leaves a rank 0 row(s) of it among 2 ranks", line, StringComparison.Ordinal);
    }

    [MpiFact]
    public void Under_mpirun_without_open_mpi_s_library_the_error_is_one_line()
    {
        var r = MpiRun.Raw(["-x", "NABLA_MPI_LIBRARY=/nonexistent/libmpi.so.40", "-np", "1", "dotnet", Nabla, "train", "--epochs", "1", "--quiet", "--out", "b"], _folder);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(Lines(r.Error), l => l.StartsWith("nabla:", StringComparison.Ordinal));
        Assert.Contains("/nonexistent/libmpi.so.40 could not be loaded: install Open MPI", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_mpirun_training_never_loads_mpi()
    {
        // A library path that cannot load: a run that touched MPI would fail.
        var r = MpiRun.Alone(Nabla, ["train", "--epochs", "1", "--quiet", "--out", "c"], _folder, new Dictionary<string, string> { ["NABLA_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" });
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.DoesNotContain("ranks", r.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "c", "model.safetensors")));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];

    /// <summary>The processes whose parent is <paramref name="parent"/>, from /proc (Linux).</summary>
    private static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                var line = File.ReadLines(Path.Combine(folder, "status")).FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                if (line is not null && int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture) == parent) children.Add(pid);
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }

        children.Sort();
        return children;
    }

    /// <summary>Whether <paramref name="pid"/> still runs: it exists and is not a zombie (a process that has ended but
    /// whose parent has not collected it; a container's first process may never collect mpirun's orphans).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var state = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal));
            return state is not null && !state.Contains('Z', StringComparison.Ordinal) && !state.Contains('X', StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
