using Nabla.Backends;

namespace Nabla.Tensors;

/// <summary>A flat buffer of elements on one device, with its dtype. Shape, strides and gradients live above it, in
/// <see cref="Tensor"/>.</summary>
internal abstract class TensorStorage : BackendStorage
{
    public abstract DType DType { get; }

    public abstract Device Device { get; }

    /// <summary>Copies the elements to the host (<typeparamref name="T"/> must be the storage's element type).</summary>
    public abstract void CopyToHost<T>(Span<T> destination)
        where T : unmanaged;

    /// <summary>Copies <paramref name="source"/> (of the storage's length and element type) in from the host.</summary>
    public abstract void CopyFromHost<T>(ReadOnlySpan<T> source)
        where T : unmanaged;

    /// <summary><paramref name="values"/> seen as <typeparamref name="TElement"/>, which must be the same type: a
    /// reinterpretation of floats as doubles (or back) would copy the wrong values, or half of them.</summary>
    protected static Span<TElement> SameType<TValue, TElement>(Span<TValue> values)
        where TValue : unmanaged
        where TElement : unmanaged =>
        typeof(TValue) == typeof(TElement) ? System.Runtime.InteropServices.MemoryMarshal.Cast<TValue, TElement>(values) : throw WrongType<TValue, TElement>();

    /// <inheritdoc cref="SameType{TValue, TElement}(Span{TValue})"/>
    protected static ReadOnlySpan<TElement> SameType<TValue, TElement>(ReadOnlySpan<TValue> values)
        where TValue : unmanaged
        where TElement : unmanaged =>
        typeof(TValue) == typeof(TElement) ? System.Runtime.InteropServices.MemoryMarshal.Cast<TValue, TElement>(values) : throw WrongType<TValue, TElement>();

    private static ArgumentException WrongType<TValue, TElement>() => new($"a buffer of {typeof(TElement).Name} cannot be copied as {typeof(TValue).Name}");

    /// <summary>Copies another storage's elements in (same length and dtype), on the device where both live on one;
    /// by default through the host.</summary>
    public virtual void CopyFrom(TensorStorage source)
    {
        if (DType == DType.Float32) CopyThroughHost<float>(source);
        else CopyThroughHost<double>(source);
    }

    private void CopyThroughHost<T>(TensorStorage source)
        where T : unmanaged
    {
        // One side on the host (a batch going to a GPU, logits coming back): one copy, straight from or into its array.
        if (this is CpuStorage<T> host)
        {
            source.CopyToHost<T>(host.Data);
            return;
        }

        if (source is CpuStorage<T> from)
        {
            CopyFromHost<T>(from.Data);
            return;
        }

        var values = new T[Length];
        source.CopyToHost<T>(values);
        CopyFromHost<T>(values);
    }
}

/// <summary>Managed host memory: a plain array, so tensors need no <c>Dispose</c>.</summary>
internal sealed class CpuStorage<T>(T[] data) : TensorStorage
    where T : unmanaged
{
    private T[]? _data = data;

    /// <summary>The elements.</summary>
    /// <exception cref="InvalidOperationException">The storage was an eager step's intermediate and its array has gone
    /// back to the step's pool (<see cref="StepTensorPool"/>).</exception>
    public T[] Data => _data ?? throw new InvalidOperationException(
        "this tensor was an intermediate of an eager training step, and its memory went back to the step's pool when the step ended: Clone() it during the step to keep its values");

    /// <summary>Gives up the array (to the pool that lent it) and returns it; any later read of this storage throws.</summary>
    public T[] Recycle()
    {
        var data = Data;
        _data = null;
        return data;
    }

    /// <summary>Makes this storage, and so every tensor and view on it, use <paramref name="data"/> (of the same
    /// length) from now on: how a captured pass reads each batch where it lies instead of copying it in.</summary>
    public void Rebind(T[] data)
    {
        if (data.Length != Data.Length) throw new ArgumentException($"cannot rebind a storage of {Data.Length} elements to {data.Length}");
        Backend.Checking?.Forget(data);   // the caller's elements, read by both storages alike
        _data = data;
    }

    /// <summary>Makes this storage use <paramref name="data"/> (of the same length), the memory of another buffer
    /// whose life in a captured step has ended (<c>BufferPlan</c>). Unlike <see cref="Rebind"/>, the memory stays
    /// watched by the checking backend: a read of the old buffer after this one writes is caught.</summary>
    public void ShareMemory(T[] data)
    {
        if (data.Length != Data.Length) throw new ArgumentException($"cannot share the memory of {data.Length} elements with a storage of {Data.Length}");
        _data = data;
    }

    public override DType DType { get; } = DTypeExtensions.Of<T>();

    public override Device Device => Device.Cpu;

    public override int Length => Data.Length;

    public override object Memory => Data;

    public override void CopyToHost<TValue>(Span<TValue> destination) => Data.AsSpan().CopyTo(SameType<TValue, T>(destination));

    public override void CopyFromHost<TValue>(ReadOnlySpan<TValue> source) => SameType<TValue, T>(source).CopyTo(Data);

    public override void Poison()
    {
        if (typeof(T) == typeof(float)) System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(Data.AsSpan()).Fill(float.NaN);
        else if (typeof(T) == typeof(double)) System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(Data.AsSpan()).Fill(double.NaN);
    }
}
