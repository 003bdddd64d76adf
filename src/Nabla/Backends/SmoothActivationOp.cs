namespace Nabla.Backends;

/// <summary>One smooth activation over a fixed number of elements, made by <see cref="BackendOps.SmoothActivation"/>
/// (once, outside the kernel, so that a replay allocates nothing).</summary>
internal abstract class SmoothActivationOp
{
    /// <summary>y = f(x) and derivative = f′(x).</summary>
    public abstract void Run(BackendStorage x, BackendStorage y, BackendStorage derivative);
}
