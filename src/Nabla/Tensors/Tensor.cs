using System.Globalization;
using System.Numerics;
using System.Text;
using Nabla.Autograd;
using Nabla.Engine;

namespace Nabla.Tensors;

/// <summary>An N-dimensional array of Float32 or Float64 values in contiguous row-major managed memory, which records
/// the operations applied to it so that <see cref="Backward()"/> can compute gradients.</summary>
/// <remarks>
/// Dimension letters used in shape comments throughout the library: B batch, C classes, D input features,
/// H hidden units, I/O a layer's input/output features, M/K/N the three sides of a matrix product.
/// Tensors need no disposal. Operators record onto the autograd graph when an input has <see cref="RequiresGrad"/>
/// and gradient mode is on (see <see cref="GradMode"/>).
/// </remarks>
public sealed partial class Tensor
{
    internal Tensor(TensorStorage storage, Shape shape)
    {
        if (storage.Length != shape.Count)
            throw new ArgumentException($"storage of {storage.Length} elements cannot hold shape {shape}");
        Storage = storage;
        Shape = shape;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Where the elements live: the CPU, or a GPU (<see cref="To(Device)"/>).</summary>
    public Device Device => Storage.Device;

    /// <summary>Number of elements.</summary>
    public int Count => Shape.Count;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Row-major strides in elements (tensors are always contiguous).</summary>
    public int[] Strides => Shape.Strides();

    internal TensorStorage Storage { get; private set; }

    /// <summary>Whether the elements are in host memory, where the CPU kernels and host code read them directly.</summary>
    private bool OnHost => Storage.Device.Type == DeviceType.Cpu;

    /// <summary>The underlying array; the dtype must match <typeparamref name="T"/>.</summary>
    internal T[] Buffer<T>()
        where T : unmanaged
    {
        KernelTape.ObserveRawAccess();   // outside a kernel, a capture could not repeat what is done with the values
        Backends.Backend.Checking?.Touched(Storage);
        return Storage is CpuStorage<T> host ? host.Data : throw OnDevice();
    }

    /// <summary>The error for host code that needs the elements in host memory, given a tensor on a device.</summary>
    private InvalidOperationException OnDevice() => new(
        $"this tensor is on {Device}, and this needs its elements on the host: copy them with ToFloatArray()/ToDoubleArray(), or move the tensor with To(Device.Cpu)");

    /// <summary>The elements as a writable span. <typeparamref name="T"/> must be <c>float</c> for Float32 and
    /// <c>double</c> for Float64. Writing through it bypasses autograd.</summary>
    /// <exception cref="InvalidOperationException">The type argument does not match <see cref="DType"/>.</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (!OnHost) throw OnDevice();
        if (Storage is not CpuStorage<T> s)
            throw new InvalidOperationException($"tensor of dtype {DType.Name()} cannot be viewed as {typeof(T).Name}");
        KernelTape.ObserveRawAccess();
        Backends.Backend.Checking?.Touched(Storage);
        return s.Data;
    }

    /// <summary>A copy of the elements as float (converting from Float64 if needed).</summary>
    public float[] ToFloatArray() => !OnHost ? (DType == DType.Float32 ? HostCopy<float>() : Array.ConvertAll(HostCopy<double>(), v => (float)v))
        : DType == DType.Float32
        ? (float[])Buffer<float>().Clone()
        : Array.ConvertAll(Buffer<double>(), v => (float)v);

    /// <summary>A copy of the elements as double (converting from Float32 if needed).</summary>
    public double[] ToDoubleArray() => !OnHost ? HostCopy()
        : DType == DType.Float64
        ? (double[])Buffer<double>().Clone()
        : Array.ConvertAll(Buffer<float>(), v => (double)v);

    /// <summary>The elements of a tensor on a device, copied to the host as doubles (waiting for the kernels).</summary>
    private double[] HostCopy() => DType == DType.Float64 ? HostCopy<double>() : Array.ConvertAll(HostCopy<float>(), v => (double)v);

    /// <summary>The elements of a tensor on a device, copied to the host in their own element type.</summary>
    private T[] HostCopy<T>()
        where T : unmanaged
    {
        KernelTape.ObserveRawAccess();
        var values = new T[Count];
        Storage.CopyToHost<T>(values);
        return values;
    }

    /// <summary>Writes <paramref name="values"/> (one per element) into a tensor on a device.</summary>
    private void HostWrite(double[] values)
    {
        KernelTape.ObserveRawAccess();
        if (DType == DType.Float64) Storage.CopyFromHost<double>(values);
        else Storage.CopyFromHost<float>(Array.ConvertAll(values, v => (float)v));
    }

    /// <summary>This tensor on <paramref name="device"/>: itself when it is there already (as PyTorch's <c>to</c>), else
    /// a copy there, detached from the graph. A GPU's backend must have been started (Nabla.Cuda).</summary>
    /// <exception cref="InvalidOperationException">No backend for <paramref name="device"/> has been started.</exception>
    public Tensor To(Device device)
    {
        if (device == Device) return this;
        var copy = new Tensor(DeviceStorage.Allocate(device, DType, Count, zeroed: false), Shape);
        copy.Storage.CopyFrom(Storage);
        return copy;
    }

    /// <summary>Moves this tensor's elements to <paramref name="device"/> in place, keeping the object (a module's
    /// parameters and buffers, which optimisers and captures refer to); a gradient moves with it.</summary>
    internal void MoveTo(Device device)
    {
        Storage = To(device).Storage;   // To returns this tensor when it is there already
        Grad?.MoveTo(device);
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double Item()
    {
        if (Count != 1) throw new InvalidOperationException($"Item() needs a tensor of one element, not shape {Shape}");
        return GetFlat(0);
    }

    /// <summary>The element at a full index (one entry per dimension; negative entries count from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public double this[params int[] index]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(index);
            if (index.Length != Rank) throw new ArgumentException($"index of {index.Length} entries for a tensor of shape {Shape}");
            var strides = Shape.Strides();
            int flat = 0;
            for (int i = 0; i < index.Length; i++)
            {
                int d = Shape.Dims[i];
                int k = index[i] < 0 ? index[i] + d : index[i];
                if (k < 0 || k >= d) throw new IndexOutOfRangeException($"index {index[i]} is out of range for axis {i} of shape {Shape}");
                flat += k * strides[i];
            }

            return GetFlat(flat);
        }
    }

    internal double GetFlat(int i) => !OnHost ? HostCopy()[i] : DType == DType.Float32 ? Buffer<float>()[i] : Buffer<double>()[i];

    internal void SetFlat(int i, double value)
    {
        if (!OnHost)
        {
            var values = HostCopy();
            values[i] = value;
            HostWrite(values);
        }
        else if (DType == DType.Float32)
        {
            Buffer<float>()[i] = (float)value;
        }
        else
        {
            Buffer<double>()[i] = value;
        }
    }

    /// <summary>A new tensor with the same values converted to <paramref name="dtype"/>, detached from the graph.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return Clone();
        return dtype == DType.Float64 ? FromArray(ToDoubleArray(), Shape) : FromArray(ToFloatArray(), Shape);
    }

    /// <summary>A copy of the values in new storage, detached from the graph. The copy is the caller's to keep, even
    /// when made inside an eager training step, whose other tensors go back to the step's pool at its end.</summary>
    public Tensor Clone()
    {
        var copy = UninitializedOwn(Shape, DType);
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>Makes this tensor, and every view of its storage, read and write <paramref name="source"/>'s elements
    /// from now on, without copying them (same shape and dtype): a captured pass takes each batch this way, and its
    /// kernels then read the caller's tensor as an eager pass would.</summary>
    internal void ShareElementsOf(Tensor source)
    {
        if (source.Shape != Shape || source.DType != DType)
            throw new ArgumentException($"cannot share a {source.DType.Name()} tensor of shape {source.Shape} as a {DType.Name()} tensor of shape {Shape}");
        if (!OnHost) Storage.CopyFrom(source.Storage);   // a device's buffer takes a copy of the batch
        else if (DType == DType.Float32) ((CpuStorage<float>)Storage).Rebind(source.Buffer<float>());
        else ((CpuStorage<double>)Storage).Rebind(source.Buffer<double>());
    }

    /// <summary>Copies <paramref name="source"/>'s values into this tensor in place (same shape and dtype).</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Shape != Shape || source.DType != DType)
            throw new ArgumentException($"cannot copy a {source.DType.Name()} tensor of shape {source.Shape} into a {DType.Name()} tensor of shape {Shape}");
        if (KernelTape.Current is not null || Backends.Backend.Checking is not null) RecordCopy(source);
        else CopyValues(source, this);   // no closure outside a capture: an eager copy allocates nothing
    }

    private void RecordCopy(Tensor source) => Kernel.Launch([source], [this], () => CopyValues(source, this));

    private static void CopyValues(Tensor source, Tensor destination)
    {
        if (!source.OnHost || !destination.OnHost) destination.Storage.CopyFrom(source.Storage);
        else if (source.DType == DType.Float32) source.Buffer<float>().CopyTo(destination.Buffer<float>(), 0);
        else source.Buffer<double>().CopyTo(destination.Buffer<double>(), 0);
    }

    /// <summary>Sets every element to <paramref name="value"/> in place, bypassing autograd.</summary>
    public void Fill(double value)
    {
        if (KernelTape.Current is not null || Backends.Backend.Checking is not null) RecordFill(value);
        else FillValues(value);   // no closure outside a capture: zeroing gradients every step allocates nothing
    }

    private void RecordFill(double value) => Kernel.Launch([], [this], () => FillValues(value));

    private void FillValues(double value)
    {
        if (!OnHost) DeviceStorage.BackendOf(Device)!.Fill(Storage, value);
        else if (DType == DType.Float32) Buffer<float>().AsSpan().Fill((float)value);
        else Buffer<double>().AsSpan().Fill(value);
    }

    /// <summary>Whether any element is NaN or infinite.</summary>
    public bool HasNonFinite() => FirstNonFinite() >= 0;

    /// <summary>The flat index of the first NaN or infinite element, or −1 when all are finite.</summary>
    internal int FirstNonFinite() => !OnHost ? FirstNonFiniteOnDevice()
        : DType == DType.Float32 ? FirstNonFinite<float>(Buffer<float>()) : FirstNonFinite<double>(Buffer<double>());

    /// <summary>On a device, a sum first, reduced there: finite means every element is (a NaN or ±∞ anywhere makes it
    /// NaN or ±∞), and only a sum that is not (a non-finite element, or an overflow) copies the values to the host to
    /// find the element. A dataset on a GPU is checked each epoch without coming back.</summary>
    private int FirstNonFiniteOnDevice()
    {
        if (double.IsFinite(DeviceStorage.BackendOf(Device)!.Ops.Sum(Storage))) return -1;
        return FirstNonFinite<double>(HostCopy());
    }

    private static int FirstNonFinite<T>(ReadOnlySpan<T> values)
        where T : IFloatingPointIeee754<T>
    {
        // One vectorised pass answers "all finite?" (the largest magnitude is NaN or ∞ exactly when some element is);
        // only a failure pays for the scalar scan that finds which.
        if (values.IsEmpty || T.IsFinite(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values))) return -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i])) return i;
        }

        return -1;
    }

    /// <summary>A short description with the shape, dtype and (for small tensors) the values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Tensor{Shape} {DType.Name()}");
        if (RequiresGrad) sb.Append(" requires_grad");
        if (Count <= 16)
        {
            sb.Append(" [");
            for (int i = 0; i < Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(GetFlat(i).ToString("G6", CultureInfo.InvariantCulture));
            }

            sb.Append(']');
        }

        return sb.ToString();
    }
}
