using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Engine;

/// <summary>A record of the kernels this thread launches while it is open: the buffers each reads and the shape of the
/// first tensor it writes. It is how a model summary learns which layer made which shape inside a module's own
/// <c>Forward</c>, which it cannot step into (anchor: the forward hooks behind torchinfo's summary).</summary>
internal sealed class KernelTrace : IDisposable
{
    [ThreadStatic]
    private static KernelTrace? t_current;

    private readonly List<(BackendStorage?[] Reads, Shape? Output)> _launches = [];

    private KernelTrace()
    {
    }

    /// <summary>The trace open on this thread, or null.</summary>
    internal static KernelTrace? Current => t_current;

    /// <summary>The kernels launched so far, in order: what each read, and the shape of the first tensor it wrote.</summary>
    public IReadOnlyList<(BackendStorage?[] Reads, Shape? Output)> Launches => _launches;

    /// <summary>Starts tracing the kernels this thread launches until the trace is disposed.</summary>
    /// <exception cref="InvalidOperationException">A trace is already open on this thread.</exception>
    public static KernelTrace Start()
    {
        if (t_current is not null) throw new InvalidOperationException("a kernel trace is already open on this thread: traces do not nest");
        return t_current = new KernelTrace();
    }

    /// <summary>Notes a launch.</summary>
    internal void Note(ReadOnlySpan<Tensor?> reads, ReadOnlySpan<Tensor?> writes)
    {
        var storages = new BackendStorage?[reads.Length];
        for (int i = 0; i < reads.Length; i++) storages[i] = reads[i]?.Storage;
        _launches.Add((storages, writes.Length > 0 ? writes[0]?.Shape : null));
    }

    /// <summary>Stops tracing.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(t_current, this)) t_current = null;
    }
}
