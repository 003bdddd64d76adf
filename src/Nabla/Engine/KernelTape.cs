using System.Diagnostics;
using System.Text;

namespace Nabla.Engine;

/// <summary>A recording of the kernels one eager pass ran, in order, so that the pass can be run again on the same
/// buffers with no graph building and no allocation (the capture behind <c>TrainingStep</c>; anchors: tinygrad's
/// TinyJit, PyTorch's CUDA graphs).</summary>
/// <remarks>
/// <para>While a tape records, every op still runs eagerly; each kernel it launches through <see cref="Kernel.Launch"/>
/// is kept. A replay runs the kept kernels again: they close over the same tensors, so they read the current values of
/// the inputs and parameters and overwrite the same intermediate buffers. Host values a kernel computes from buffers
/// (a loss sum, a dropout draw count) are computed inside the kernel, so a replay recomputes them.</para>
/// <para>What a replay cannot see is work done on the host outside a kernel: a value read from a tensor to steer the
/// code (data-dependent control flow), or a tensor built from host arrays or host random numbers. Every raw read or
/// write of a tensor's elements outside a kernel marks the tape <see cref="Spoiled"/> (the caller then keeps running
/// eagerly), and so does every creation of a tensor from host values; a replay of a spoiled tape is refused.</para>
/// </remarks>
internal sealed class KernelTape : IDisposable
{
    // How many tapes record on any thread: the check on every raw access costs one read of this while none does.
    private static int s_recording;

    [ThreadStatic]
    private static KernelTape? t_current;

    private readonly List<RecordedKernel> _kernels = [];
    private readonly List<Backends.BackendStorage> _created = [];
    private int _depth;

    private KernelTape()
    {
    }

    /// <summary>Why a replay of this tape would not repeat the eager pass, or null when it would.</summary>
    public string? Spoiled { get; private set; }

    /// <summary>The number of kernels recorded.</summary>
    public int Count => _kernels.Count;

    /// <summary>The tape recording on this thread, or null.</summary>
    internal static KernelTape? Current => t_current;

    /// <summary>Starts recording the kernels this thread launches until the tape is disposed.</summary>
    /// <exception cref="InvalidOperationException">A tape already records on this thread.</exception>
    public static KernelTape Record()
    {
        if (t_current is not null) throw new InvalidOperationException("a capture is already recording on this thread: captures do not nest");
        var tape = new KernelTape();
        t_current = tape;
        Interlocked.Increment(ref s_recording);
        return tape;
    }

    /// <summary>Stops recording.</summary>
    public void Dispose()
    {
        if (!ReferenceEquals(t_current, this)) return;
        t_current = null;
        Interlocked.Decrement(ref s_recording);
    }

    /// <summary>The recorded kernels with what each reads and writes, to be replayed in order.</summary>
    /// <exception cref="InvalidOperationException">The tape is spoiled.</exception>
    public RecordedKernel[] Freeze() => Spoiled is null ? [.. _kernels] : throw new InvalidOperationException($"the capture cannot be replayed: {Spoiled}");

    /// <summary>The buffers made while recording, in order: the capture's intermediates (and whatever else the pass
    /// made), which a buffer plan may let share memory.</summary>
    public IReadOnlyList<Backends.BackendStorage> Created => _created;

    /// <summary>Notes a buffer made while recording.</summary>
    internal void NoteCreated(Backends.BackendStorage storage)
    {
        if (_depth == 0) _created.Add(storage);
    }

    /// <summary>Runs <paramref name="kernel"/> now and keeps it for replay, with what it reads and writes. A kernel
    /// launched from inside another runs as part of it and is not kept twice.</summary>
    internal void Run(Action kernel, Backends.BackendStorage?[] reads, Backends.BackendStorage?[] writes, KernelForm? form = null)
    {
        if (_depth > 0)
        {
            kernel();
            return;
        }

        _depth++;
        try
        {
            kernel();
        }
        finally
        {
            _depth--;
        }

        _kernels.Add(new RecordedKernel(kernel, reads, writes, form));
    }

    /// <summary>Keeps <paramref name="kernel"/>, which writes <paramref name="writes"/>, for replay without running it
    /// now (the eager pass did its work another way, e.g. a fresh array is already zero).</summary>
    internal void Append(Action kernel, Backends.BackendStorage?[] writes)
    {
        if (_depth == 0) _kernels.Add(new RecordedKernel(kernel, [], writes));
    }

    /// <summary>Called on every raw access to a tensor's elements: one outside a kernel spoils the recording tape.</summary>
    public static void ObserveRawAccess()
    {
        if (Volatile.Read(ref s_recording) != 0 && t_current is { } tape && tape._depth == 0) tape.Spoil("a tensor's values were read or written outside a kernel");
    }

    /// <summary>Spoils the tape recording on this thread, if any, because of host work a replay could not repeat.</summary>
    public static void ObserveHostValues(string what)
    {
        if (Volatile.Read(ref s_recording) != 0 && t_current is { } tape && tape._depth == 0) tape.Spoil(what);
    }

    private void Spoil(string what)
    {
        if (Spoiled is not null) return;
        Spoiled = $"{what}, in {Caller()}";
    }

    /// <summary>The op a recorded kernel belongs to, e.g. <c>Conv2dFunction.Forward</c> or
    /// <c>Tensor.RawBinary&lt;AddOperator&gt;</c>: the type that launched it and the method whose lambda it is.</summary>
    public static string Describe(Action kernel) => Backends.KernelName.Of(kernel);

    /// <summary>The first few methods on the stack outside the engine and the tensor internals: where the host work was.</summary>
    private static string Caller()
    {
        var frames = new StackTrace(2, fNeedFileInfo: false).GetFrames();
        var names = new StringBuilder();
        int shown = 0;
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (method is null || type is null || type.Namespace == typeof(KernelTape).Namespace || IsRawAccessor(type, method.Name)) continue;
            if (shown > 0) names.Append(" ← ");
            names.Append(type.Name).Append('.').Append(method.Name);
            if (++shown == 3) break;
        }

        return names.Length == 0 ? "unknown code" : names.ToString();
    }

    /// <summary>The tensor's own element accessors, which say nothing about which op or user code read the values.</summary>
    private static bool IsRawAccessor(Type type, string method) =>
        type == typeof(Tensors.Tensor) && method is "Buffer" or "AsSpan" or "GetFlat" or "SetFlat";
}
