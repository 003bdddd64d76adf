using ILGPU;
using ILGPU.Runtime;

namespace Nabla.Cuda;

/// <summary>Uploads that do not wait. ILGPU's copy from a managed span synchronises the stream, so a step that
/// uploads its labels after its forward pass is queued would stop there until the GPU caught up. Instead the values
/// are copied into a page-locked host array and from there to the device asynchronously, in order with the kernels.
/// A staging array may be refilled only once the stream has passed its copy: a small ring of them is kept, and each is
/// marked in flight until the next wait for the stream (a readout, a read-back) drains them all.</summary>
internal sealed partial class GpuKernels
{
    /// <summary>Staging arrays in the ring: a step uploads its row indices and its labels, and then waits once.</summary>
    private const int StagingSlots = 4;

    private readonly PageLockedArray1D<int>?[] _staging = new PageLockedArray1D<int>?[StagingSlots];
    private readonly bool[] _stagingInFlight = new bool[StagingSlots];
    private int _nextStaging;

    /// <summary>Copies <paramref name="values"/> to <paramref name="target"/> on the accelerator's stream without
    /// waiting for it (unless the staging array's last copy may not have run yet).</summary>
    private void StageAsync(ReadOnlySpan<int> values, ArrayView1D<int, Stride1D.Dense> target)
    {
        if (values.Length == 0) return;
        int slot = _nextStaging;
        _nextStaging = (slot + 1) % StagingSlots;
        if (_stagingInFlight[slot]) Drain();
        var staging = _staging[slot];
        if (staging is null || staging.Length < values.Length)
        {
            staging?.Dispose();
            staging = _staging[slot] = Accelerator.AllocatePageLocked1D<int>(Math.Max(values.Length, 64));
        }

        values.CopyTo(staging.Span);
        HostTransfers.FromHostAsync(staging.ArrayView.SubView(0, values.Length), target, Accelerator.DefaultStream);
        _stagingInFlight[slot] = true;
    }

    /// <summary>Waits for every launched kernel and copy; the staging arrays are free again.</summary>
    private void Drain()
    {
        Accelerator.Synchronize();
        Drained();
    }

    /// <summary>Copies <paramref name="source"/> to the host, waiting for the stream, which frees the staging arrays:
    /// every read-back of the kernels goes through here.</summary>
    private void ReadBack<T>(ArrayView1D<T, Stride1D.Dense> source, Span<T> destination)
        where T : unmanaged
    {
        HostTransfers.ToHost(source, destination);
        Drained();
    }

    /// <summary>Notes that the stream has just been waited for (a copy to the host waits for it).</summary>
    private void Drained() => Array.Clear(_stagingInFlight);
}
