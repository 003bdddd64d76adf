namespace Nabla.Tensors;

/// <summary>The kind of memory a tensor's storage lives in.</summary>
public enum DeviceType
{
    /// <summary>Managed memory on the host, computed on by the CPU kernels.</summary>
    Cpu,
}

/// <summary>Where a tensor lives. Only the CPU exists today; the tag is here so that a GPU storage can be added
/// without changing the public API.</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The ordinal among devices of that kind.</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <inheritdoc/>
    public override string ToString() => Index == 0 ? Type.ToString().ToLowerInvariant() : $"{Type.ToString().ToLowerInvariant()}:{Index}";
}
