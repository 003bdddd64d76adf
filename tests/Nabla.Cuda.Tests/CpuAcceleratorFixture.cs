namespace Nabla.Cuda.Tests;

/// <summary>One ILGPU CPU accelerator for all the kernel tests: compiling a kernel is the slow part, and each is
/// compiled once per element type and operator.</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    /// <summary>The GPU's backend on the CPU accelerator, registered as Device.Cuda's.</summary>
    internal GpuBackend Backend { get; } = GpuBackend.StartOnCpuAccelerator();

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
