namespace Nabla.Tensors;

/// <summary>A flat buffer of elements on one device. Shape, strides and gradients live above it, in <see cref="Tensor"/>.</summary>
internal abstract class TensorStorage
{
    public abstract DType DType { get; }

    public abstract Device Device { get; }

    public abstract int Length { get; }
}

/// <summary>Managed host memory: a plain array, so tensors need no <c>Dispose</c>.</summary>
internal sealed class CpuStorage<T>(T[] data) : TensorStorage
    where T : unmanaged
{
    public T[] Data { get; } = data;

    public override DType DType { get; } = DTypeExtensions.Of<T>();

    public override Device Device => Device.Cpu;

    public override int Length => Data.Length;
}
