using ILGPU;
using ILGPU.Runtime;
using Nabla.Tensors;

namespace Nabla.Cuda;

/// <summary>A flat buffer of elements in an accelerator's memory: a GPU's, or the host's under ILGPU's CPU accelerator.
/// Its elements are read and written only by kernels; <see cref="ToArray"/> and <see cref="CopyFrom(ReadOnlySpan{T})"/> move them to
/// and from the host.</summary>
internal sealed class GpuStorage<T> : TensorStorage, IDisposable
    where T : unmanaged
{
    private long _pressure;

    public GpuStorage(Accelerator accelerator, int length)
    {
        Buffer = accelerator.Allocate1D<T>(length);

        // The GC does not see device memory: told of it, it collects (and so finalises dropped buffers, freeing their
        // device memory) as device allocations grow, as an eager step's fresh intermediates do every step.
        _pressure = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (_pressure > 0) GC.AddMemoryPressure(_pressure);
    }

    ~GpuStorage() => ReleasePressure();

    /// <summary>The accelerator's buffer.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Buffer { get; }

    /// <summary>The elements, as the kernels take them.</summary>
    public ArrayView1D<T, Stride1D.Dense> View => Buffer.View;

    public override DType DType { get; } = DTypeExtensions.Of<T>();

    public override Nabla.Tensors.Device Device => Nabla.Tensors.Device.Cuda;

    public override int Length => (int)Buffer.Length;

    public override object Memory => Buffer;

    /// <summary>Fills every element with NaN (float32 and float64), as the checking backend's poison.</summary>
    public override void Poison() => View.MemSet(0xFF);   // all bits set: a NaN in float32 and float64 alike, set on the device

    public override void CopyToHost<TValue>(Span<TValue> destination) => HostTransfers.ToHost(View, SameType<TValue, T>(destination));

    public override void CopyFromHost<TValue>(ReadOnlySpan<TValue> source) => CopyFrom(SameType<TValue, T>(source));

    /// <summary>Copies another storage's elements in: on the accelerator when it is a buffer of the same one, else
    /// through the host.</summary>
    public override void CopyFrom(TensorStorage source)
    {
        if (source is GpuStorage<T> device && device.Buffer.Accelerator == Buffer.Accelerator) Buffer.View.AsContiguous().CopyFrom(device.Buffer.View.AsContiguous());
        else base.CopyFrom(source);
    }

    /// <summary>Copies <paramref name="values"/> (of this storage's length) in.</summary>
    public void CopyFrom(ReadOnlySpan<T> values)
    {
        if (values.Length != Length) throw new ArgumentException($"cannot copy {values.Length} elements into a GPU buffer of {Length}");
        HostTransfers.FromHost(values, View);
    }

    /// <summary>The elements, copied to the host (waiting for the kernels that write them).</summary>
    public T[] ToArray()
    {
        var values = new T[Length];
        HostTransfers.ToHost(View, values.AsSpan());
        return values;
    }

    public void Dispose()
    {
        Buffer.Dispose();
        ReleasePressure();
        GC.SuppressFinalize(this);
    }

    private void ReleasePressure()
    {
        long pressure = Interlocked.Exchange(ref _pressure, 0);
        if (pressure > 0) GC.RemoveMemoryPressure(pressure);
    }
}
