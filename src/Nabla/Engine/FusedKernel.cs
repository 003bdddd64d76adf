using Nabla.Backends;

namespace Nabla.Engine;

/// <summary>A kernel a fusion pass made from several (<see cref="KernelFusion"/>), named after them so that messages
/// about it (a check mode's difference, the checking backend's errors) say what it fused.</summary>
/// <param name="kernel">The fused kernel.</param>
/// <param name="name">What it fused, in words.</param>
internal sealed class FusedKernel(Action kernel, string name) : IWrappedKernel, INamedKernel
{
    /// <inheritdoc/>
    public Delegate Kernel => kernel;

    /// <inheritdoc/>
    public string Name => name;

    /// <summary>Runs the fused kernel.</summary>
    public void Run() => kernel();
}
