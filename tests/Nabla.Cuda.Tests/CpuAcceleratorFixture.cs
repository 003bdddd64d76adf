namespace Nabla.Cuda.Tests;

/// <summary>One ILGPU CPU accelerator for all the kernel tests: compiling a kernel is the slow part, and each is
/// compiled once per element type and operator.</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public CpuAcceleratorFixture() => Ops = new GpuOps(Kernels);

    internal GpuKernels Kernels { get; } = GpuKernels.OnCpuAccelerator();

    /// <summary>The GPU's op table on those kernels: what the tests call, as the engine does.</summary>
    internal Nabla.Backends.BackendOps Ops { get; }

    public void Dispose() => Kernels.Dispose();
}

/// <summary>The kernel tests share one accelerator and run one at a time (the accelerator's stream is one queue).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAcceleratorFixture>
{
    public const string Name = "ILGPU CPU accelerator";
}
