namespace Nabla.Backends;

/// <summary>The seam between the math and the hardware (anchor: Burn's <c>Backend</c> trait): every kernel launch
/// and every fresh buffer passes through the backend of the launching thread. The CPU backend runs the kernels as
/// they are; the checking backend (<see cref="CheckingBackend"/>) runs the same kernels and watches their buffers.</summary>
/// <remarks>A launch declares what it reads and what it writes. That declaration is the contract a buffer planner
/// needs: a captured step reuses an intermediate's memory once no later kernel reads it, and the checking backend is
/// the test that the declarations, and the plan built on them, are right.</remarks>
internal abstract class Backend
{
    [ThreadStatic]
    private static Backend? t_current;

    /// <summary>The CPU backend: plain managed arrays and the kernels of <c>Nabla.Kernels</c>.</summary>
    public static CpuBackend Cpu { get; } = new();

    /// <summary>The backend of this thread: the CPU unless <see cref="Use"/> chose another.</summary>
    public static Backend Current => t_current ?? Cpu;

    /// <summary>The checking backend in use on this thread, or null: read by the raw-access hook on every buffer read,
    /// so it is one thread-static load when no check runs.</summary>
    internal static CheckingBackend? Checking => t_current as CheckingBackend;

    /// <summary>Makes <paramref name="backend"/> this thread's backend until the returned scope is disposed.</summary>
    public static Scope Use(Backend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var previous = t_current;
        t_current = backend;
        return new Scope(previous);
    }

    /// <summary>The backend's op table: the kernels the autograd functions launch.</summary>
    public abstract BackendOps Ops { get; }

    /// <summary>Whether this backend's buffers are host memory its kernels run on from host threads (the CPU's and the
    /// checking backend's): elementwise kernels are then split across the kernel threads and chained by the fusion
    /// pass. A device backend (a GPU's, in Nabla.Cuda) runs each kernel as one launch.</summary>
    public virtual bool RunsOnHost => true;

    /// <summary>Prepares <paramref name="kernel"/>, which reads <paramref name="reads"/> and writes
    /// <paramref name="writes"/>, for running now and for replay: returns what to run (the kernel itself, or the
    /// kernel wrapped in the backend's checks).</summary>
    public abstract Action Prepare(Action kernel, BackendStorage?[] reads, BackendStorage?[] writes);

    /// <summary>Told of every buffer made for a kernel to write: <paramref name="initialised"/> when its elements are
    /// already set (zeros), false when they are whatever the memory held.</summary>
    public virtual void Allocated(BackendStorage storage, bool initialised)
    {
    }

    /// <summary>Told of every raw access to a buffer's elements (by a kernel, or by host code between kernels).</summary>
    public virtual void Touched(BackendStorage storage)
    {
    }

    /// <summary>Restores the previous backend when disposed.</summary>
    public readonly struct Scope(Backend? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_current = previous;
    }
}
