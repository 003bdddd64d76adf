using Nabla.Cuda;

namespace Nabla.Cli.Tests;

/// <summary>--device: cpu trains as always; cuda with no usable GPU is one line and exit 2, before anything is read or
/// written; auto trains on the CPU and says why; an unknown device is refused naming it.</summary>
public sealed class DeviceOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-device-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Cuda_without_a_usable_GPU_is_one_line_and_exit_2_and_saves_nothing()
    {
        var r = NablaProcess.Run(_dir, "train", "--device", "cuda", "--epochs", "1");
        Assert.Equal(2, r.ExitCode);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("nabla: error: --device cuda: ", lines[0], StringComparison.Ordinal);
        if (!CudaAvailability.Probe().Usable) Assert.Contains(CudaAvailability.Probe().Description, lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }

    [Fact]
    public void Auto_trains_on_the_CPU_and_says_why_in_the_banner()
    {
        var r = NablaProcess.Run(_dir, "train", "--device", "auto", "--epochs", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var banner = r.Output.Split('\n')[0];
        Assert.Contains(" on the CPU (--device auto: ", banner, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "digits", "model.safetensors")));
    }

    [Fact]
    public void An_unknown_device_is_refused_naming_it()
    {
        var r = NablaProcess.Run(_dir, "train", "--device", "gpu0");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("nabla: error: --device must be cpu, cuda or auto, not 'gpu0'", r.Error.Trim());
    }

    [Fact]
    public void With_a_usable_GPU_cuda_names_it_and_auto_names_it_in_the_banner()
    {
        // This build trains on the CPU only: a GPU found is named, and cuda is still refused rather than ignored.
        static CudaAvailability Found() => new(true, "NVIDIA H200, 139 GiB");
        var error = Assert.Throws<UsageException>(() => DeviceChoice.Resolve("cuda", Found));
        Assert.Contains("NVIDIA H200, 139 GiB found", error.Message, StringComparison.Ordinal);
        Assert.Contains("NVIDIA H200, 139 GiB found", DeviceChoice.Resolve("auto", Found)!, StringComparison.Ordinal);
        Assert.Null(DeviceChoice.Resolve("cpu", Found));
        Assert.Null(DeviceChoice.Resolve(null, Found));
    }
}
