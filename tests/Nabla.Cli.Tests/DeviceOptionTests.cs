using Nabla.Cuda;

namespace Nabla.Cli.Tests;

/// <summary>--device: cpu trains as always; cuda with no usable GPU is one line and exit 2, before anything is read or
/// written; auto trains on the CPU and says why; an unknown device is refused naming it; with a GPU (here ILGPU's CPU
/// accelerator standing in for one) cuda trains there to the CPU's result.</summary>
public sealed class DeviceOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-device-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Cuda_without_a_usable_GPU_is_one_line_and_exit_2_and_saves_nothing()
    {
        if (CudaAvailability.Probe().Usable) return;   // a machine with a GPU trains instead
        var r = NablaProcess.Run(_dir, "train", "--device", "cuda", "--epochs", "1");
        Assert.Equal(2, r.ExitCode);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("nabla: error: --device cuda: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(CudaAvailability.Probe().Description, lines[0], StringComparison.Ordinal);
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
    public void With_a_usable_GPU_cuda_and_auto_choose_it_and_name_it()
    {
        static CudaAvailability Found() => new(true, "NVIDIA H200, 139 GiB");
        Assert.Equal(new DeviceSelection(true, "on NVIDIA H200, 139 GiB", Found: "NVIDIA H200, 139 GiB"), DeviceChoice.Resolve("cuda", Found));
        Assert.Equal(new DeviceSelection(true, "on NVIDIA H200, 139 GiB (--device auto)", Auto: true, Found: "NVIDIA H200, 139 GiB"), DeviceChoice.Resolve("auto", Found));
        Assert.Equal(new DeviceSelection(false, null), DeviceChoice.Resolve("cpu", Found));
        Assert.Equal(new DeviceSelection(false, null), DeviceChoice.Resolve(null, Found));
    }

    [Fact]
    public void Cuda_trains_on_the_GPU_code_path_to_the_CPUs_result()
    {
        // The GPU's kernels on ILGPU's CPU accelerator: the whole --device cuda path (model moved, captured steps on
        // the device, evaluation, checkpoints, the model read back and saved) with no GPU. Digits, one epoch of 12 steps.
        string[] common = ["train", "--epochs", "1", "--batch-size", "128", "--quiet"];
        var cpu = NablaProcess.Run(_dir, [.. common, "--out", "cpu"]);
        Assert.True(cpu.ExitCode == 0, cpu.Error);
        var gpu = NablaProcess.Run(_dir, new Dictionary<string, string> { [DeviceChoice.CpuAcceleratorVariable] = "1" }, [.. common, "--out", "gpu", "--device", "cuda"]);
        Assert.True(gpu.ExitCode == 0, gpu.Error);
        var lines = gpu.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(" on ILGPU's CPU accelerator (NABLA_CUDA_ON_CPU=1), data on the GPU; ", lines[0], StringComparison.Ordinal);

        // The epoch's figures and the test accuracy as the CPU's (float32 kernels that agree to 1e-6 round alike here).
        static string[] Results(string output) => [.. output.Split('\n')
            .Where(l => l.StartsWith("epoch", StringComparison.Ordinal) || l.StartsWith("test accuracy", StringComparison.Ordinal))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"(\s+[0-9.]+ s|; model saved to .*)$", ""))];
        Assert.Equal(2, Results(cpu.Output).Length);   // one epoch line and the test accuracy
        Assert.Equal(Results(cpu.Output), Results(gpu.Output));
        Assert.True(File.Exists(Path.Combine(_dir, "gpu", "model.safetensors")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir, "gpu", "checkpoints")));
    }

    [Theory]
    [InlineData("--sanity", "--sanity runs its checks on the CPU: leave out --device cuda")]
    [InlineData("--optimizer rmsprop", "--optimizer rmsprop updates on the CPU only: on the GPU use sgd, adam or adamw")]
    public void Cuda_is_refused_where_the_GPU_cannot_go_in_one_line(string option, string message)
    {
        var r = NablaProcess.Run(_dir, new Dictionary<string, string> { [DeviceChoice.CpuAcceleratorVariable] = "1" }, ["train", "--device", "cuda", .. option.Split(' ')]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"nabla: error: {message}", r.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }

    [Fact]
    public void Auto_trains_on_the_CPU_where_the_GPU_cannot_go_and_says_why()
    {
        var r = NablaProcess.Run(_dir, new Dictionary<string, string> { [DeviceChoice.CpuAcceleratorVariable] = "1" }, "train", "--device", "auto", "--optimizer", "adagrad", "--epochs", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains(" on the CPU (--device auto: ILGPU's CPU accelerator (NABLA_CUDA_ON_CPU=1) found, but --optimizer adagrad updates on the CPU only); ", r.Output.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_on_cuda_without_a_usable_GPU_is_one_line_and_exit_2()
    {
        if (CudaAvailability.Probe().Usable) return;   // a machine with a GPU runs the benchmark instead
        var r = NablaProcess.Run(_dir, "bench", "W1", "--device", "cuda");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"nabla: error: --device cuda: no usable GPU: {CudaAvailability.Probe().Description} (use --device cpu or auto)", r.Error.Trim());
    }

    [Theory]
    [InlineData("W2", "--device cuda is used with W1, W4 and W5 only")]
    [InlineData("W3", "--device cuda is used with W1, W4 and W5 only")]
    [InlineData("W1 --profile", "--profile times the CPU's kernels: it cannot be used with --device cuda")]
    public void Bench_refuses_cuda_where_it_does_not_apply(string arguments, string message)
    {
        var r = NablaProcess.Run(_dir, new Dictionary<string, string> { [DeviceChoice.CpuAcceleratorVariable] = "1" }, ["bench", .. arguments.Split(' '), "--device", "cuda"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"nabla: error: {message}", r.Error.Trim());
    }

    [Fact]
    public void Bench_refuses_an_unknown_device_and_a_batch_size_outside_W1()
    {
        var device = NablaProcess.Run(_dir, "bench", "W1", "--device", "auto");
        Assert.Equal(2, device.ExitCode);
        Assert.Equal("nabla: error: --device must be cpu or cuda, not 'auto'", device.Error.Trim());
        var batch = NablaProcess.Run(_dir, "bench", "W4", "--batch-size", "64");
        Assert.Equal(2, batch.ExitCode);
        Assert.Equal("nabla: error: --batch-size is used with W1 only", batch.Error.Trim());
    }
}
