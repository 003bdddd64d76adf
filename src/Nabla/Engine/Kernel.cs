using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Engine;

/// <summary>The one door through which ops run their kernels on tensor buffers, so that a capture sees every one and
/// the backend (<see cref="Backend"/>) runs it.</summary>
internal static class Kernel
{
    /// <summary>Runs <paramref name="kernel"/>, which reads <paramref name="reads"/> and writes
    /// <paramref name="writes"/> (and touches no other buffer), on this thread's backend; while a
    /// <see cref="KernelTape"/> records on this thread, it is also kept for replay. The kernel must do all of its
    /// reading and writing of buffers inside itself, and compute there anything it derives from their values: a replay
    /// repeats only what is inside. A null operand (a missing bias) may be passed as it is.</summary>
    /// <param name="reads">What the kernel reads.</param>
    /// <param name="writes">What the kernel writes.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="form">What a fusion pass may know of the kernel beyond its buffers (<see cref="KernelForm"/>),
    /// or null. Only a capture keeps it: pass null unless <see cref="Capturing"/>, so that an eager launch allocates
    /// nothing for it.</param>
    public static void Launch(ReadOnlySpan<Tensor?> reads, ReadOnlySpan<Tensor?> writes, Action kernel, KernelForm? form = null)
    {
        KernelTrace.Current?.Note(reads, writes);
        var tape = KernelTape.Current;
        var backend = Backend.Current;
        if (tape is null && backend is CpuBackend)
        {
            kernel();   // the eager CPU path: nothing to record, nothing to check, nothing allocated
            return;
        }

        BackendStorage?[] readStorages = Storages(reads), writeStorages = Storages(writes);
        var run = backend.Prepare(kernel, readStorages, writeStorages);
        if (tape is not null) tape.Run(run, readStorages, writeStorages, form);
        else run();
    }

    /// <summary>Runs an elementwise kernel (<see cref="ElementwiseForm"/>): <paramref name="range"/> computes elements
    /// [start, start + count) of what it writes, <paramref name="length"/> in all, from the same elements of what it
    /// reads. A capture keeps it in a form its fusion pass can chain with its neighbours.</summary>
    public static void LaunchElementwise(ReadOnlySpan<Tensor?> reads, ReadOnlySpan<Tensor?> writes, Type operation, int length, Action<int, int> range)
    {
        if (KernelTape.Current is null && Backend.Current is CpuBackend && KernelTrace.Current is null)
        {
            ElementwiseRun.Run(range, length);   // the eager CPU path, as Launch's
            return;
        }

        if (!Backend.Current.RunsOnHost)
        {
            // A device runs the whole range as one launch: no split across host threads, and no chaining by the fusion
            // pass, whose blocks are sized for a CPU's cache.
            Launch(reads, writes, () => range(0, length));
            return;
        }

        var form = new ElementwiseForm(operation, length, range);
        Launch(reads, writes, form.RunAll, form);
    }

    /// <summary>Whether a capture records on this thread: only then is a kernel's <see cref="KernelForm"/> worth making.</summary>
    public static bool Capturing => KernelTape.Current is not null;

    /// <summary>Records <paramref name="kernel"/>, which writes <paramref name="writes"/>, for replay without running
    /// it now: for work the eager pass got for free, such as the zeros of a freshly allocated array that a replay must
    /// write again.</summary>
    public static void OnReplay(ReadOnlySpan<Tensor?> writes, Action kernel)
    {
        if (KernelTape.Current is not { } tape) return;
        var writeStorages = Storages(writes);
        tape.Append(Backend.Current.Prepare(kernel, [], writeStorages), writeStorages);
    }

    private static BackendStorage?[] Storages(ReadOnlySpan<Tensor?> tensors)
    {
        var storages = new BackendStorage?[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) storages[i] = tensors[i]?.Storage;
        return storages;
    }
}
