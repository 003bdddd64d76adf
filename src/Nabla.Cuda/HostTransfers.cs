using ILGPU;
using ILGPU.Runtime;

namespace Nabla.Cuda;

/// <summary>Every copy between the host and an accelerator made by Nabla.Cuda, counted: a copy to the host waits for the
/// kernels before it, so on a GPU each one is a stall of the stream. A replayed training step should make three (its
/// batch, its labels, its readout); the tests hold it to that, and <c>nabla train --verbose</c> says how many a step
/// made.</summary>
public static class HostTransfers
{
    private static long s_count;

    /// <summary>Copies made so far in this process, both ways.</summary>
    public static long Count => Interlocked.Read(ref s_count);

    /// <summary>Copies <paramref name="source"/> (on the accelerator) into <paramref name="destination"/>, waiting for
    /// the kernels that write it.</summary>
    internal static void ToHost<T>(ArrayView1D<T, Stride1D.Dense> source, Span<T> destination)
        where T : unmanaged
    {
        Interlocked.Increment(ref s_count);
        source.AsContiguous().CopyToCPU(destination);
    }

    /// <summary>Copies <paramref name="source"/> (page-locked host memory) into <paramref name="destination"/> on the
    /// accelerator, queued on <paramref name="stream"/> without waiting.</summary>
    internal static void FromHostAsync<T>(ArrayView1D<T, Stride1D.Dense> source, ArrayView1D<T, Stride1D.Dense> destination, AcceleratorStream stream)
        where T : unmanaged
    {
        Interlocked.Increment(ref s_count);
        destination.CopyFrom(stream, source);
    }

    /// <summary>Copies <paramref name="source"/> (on the host) into <paramref name="destination"/> on the accelerator,
    /// waiting for the stream (ILGPU's copy from a span synchronises).</summary>
    internal static void FromHost<T>(ReadOnlySpan<T> source, ArrayView1D<T, Stride1D.Dense> destination)
        where T : unmanaged
    {
        Interlocked.Increment(ref s_count);
        destination.AsContiguous().CopyFromCPU(source);
    }
}
