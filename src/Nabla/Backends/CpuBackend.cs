namespace Nabla.Backends;

/// <summary>The CPU: managed arrays, computed on by the kernels of <c>Nabla.Kernels</c> on the calling thread and the
/// kernel threads. A launch runs the kernel as it is.</summary>
internal sealed class CpuBackend : Backend
{
    /// <inheritdoc/>
    public override BackendOps Ops => Nabla.Backends.Cpu.CpuOps.Instance;

    /// <inheritdoc/>
    public override Action Prepare(Action kernel, BackendStorage?[] reads, BackendStorage?[] writes) => kernel;
}
