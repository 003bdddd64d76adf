using Nabla.Testing;

namespace Nabla.Cli.Tests;

/// <summary>A run that cannot fit in memory is refused before anything large is allocated, in one line.</summary>
public sealed class MemoryEstimateCliTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // A 4 GiB heap limit makes the refusal the same on any machine: 64 → 46000 → 46000 → 10 with momentum needs ≈ 24 GiB.
    private static readonly Dictionary<string, string> FourGiBHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x100000000" };

    [Fact]
    public void Train_with_two_46000_wide_layers_is_refused_at_once_with_the_estimate_and_the_available_memory()
    {
        var result = NablaProcess.Run(Path.GetTempPath(), FourGiBHeap, "train", "--hidden", "46000,46000", "--epochs", "1", "--out", _files.PathOf("run"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nabla: error: this run needs about 23.7 GiB (parameters 7.9 GiB", line, StringComparison.Ordinal);
        // Whichever figure is smaller is given, with its source: the 4 GiB heap limit, or the kernel's MemAvailable.
        Assert.Matches(@", but only \d+\.\d [KMG]iB \((the GC's limit: GCMemoryInfo\.TotalAvailableMemoryBytes less the heap in use|MemAvailable in /proc/meminfo)\) is available: ", line);
    }

    [Fact]
    public void The_train_banner_prints_the_memory_estimate()
    {
        var result = NablaProcess.Run(Path.GetTempPath(), "train", "--epochs", "1", "--hidden", "32", "--quiet", "--out", _files.PathOf("run"));
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^Mlp\(64 → 32 → 10, relu\): .*; memory ≈ \d+\.\d MiB\r?$", result.Output.Split('\n')[0]);
    }

    [Fact]
    public void A_described_network_with_batch_norm_and_dropout_is_estimated_without_disturbing_its_training()
    {
        // The estimate probes the network with one example: in training mode batch norm refuses a batch of one.
        var result = NablaProcess.Run(Path.GetTempPath(), "train", "--model", "conv8k3p1-bn-relu-pool2-flatten-dropout0.2-fc10", "--epochs", "1", "--quiet", "--out", _files.PathOf("run"));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Matches(@"^conv8k3p1-bn-relu-pool2-flatten-dropout0\.2-fc10: .*; memory ≈ \d+\.\d MiB\r?$", result.Output.Split('\n')[0]);
    }
}
