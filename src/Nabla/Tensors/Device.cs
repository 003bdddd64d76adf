namespace Nabla.Tensors;

/// <summary>The kind of memory a tensor's storage lives in.</summary>
public enum DeviceType
{
    /// <summary>Managed memory on the host, computed on by the CPU kernels.</summary>
    Cpu,

    /// <summary>Memory of a GPU, computed on by the <c>Nabla.Cuda</c> package's kernels (through ILGPU: an NVIDIA GPU
    /// through CUDA, or ILGPU's CPU accelerator, which runs the same kernels on the host for tests).</summary>
    Cuda,
}

/// <summary>Where a tensor lives: the host CPU, or a GPU (<c>Nabla.Cuda</c>).</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The ordinal among devices of that kind.</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The first GPU.</summary>
    public static Device Cuda { get; } = new(DeviceType.Cuda);

    /// <inheritdoc/>
    public override string ToString() => Index == 0 ? Type.ToString().ToLowerInvariant() : $"{Type.ToString().ToLowerInvariant()}:{Index}";
}
