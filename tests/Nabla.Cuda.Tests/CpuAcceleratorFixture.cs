namespace Nabla.Cuda.Tests;

/// <summary>One accelerator for all the kernel tests: compiling a kernel is the slow part, and each is compiled once per
/// element type and operator. ILGPU's CPU accelerator, the GPU's code run on host threads, unless
/// <see cref="DeviceVariable"/> is <c>cuda</c>: then the first CUDA GPU, with cuBLAS (bench/gpu/run.sh, on a lent
/// GPU), and every test below checks the real device against the CPU backend.</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    /// <summary>Set to <c>cuda</c>, the tests run on the GPU.</summary>
    public const string DeviceVariable = "NABLA_TEST_DEVICE";

    /// <summary>The GPU's backend, registered as Device.Cuda's.</summary>
    internal GpuBackend Backend { get; } = Environment.GetEnvironmentVariable(DeviceVariable) == "cuda"
        ? GpuBackend.StartOnCuda()
        : GpuBackend.StartOnCpuAccelerator();

    internal GpuKernels Kernels => Backend.Kernels;

    /// <summary>The GPU's op table on those kernels: what the tests call, as the engine does.</summary>
    internal Nabla.Backends.BackendOps Ops => Backend.Ops;

    public void Dispose() => Backend.Dispose();
}

/// <summary>The kernel tests share one accelerator and run one at a time (the accelerator's stream is one queue).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAcceleratorFixture>
{
    public const string Name = "ILGPU CPU accelerator";
}
