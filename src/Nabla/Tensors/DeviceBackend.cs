using Nabla.Backends;

namespace Nabla.Tensors;

/// <summary>A backend whose buffers live on a device (a GPU, in Nabla.Cuda): tensors made while it is the thread's
/// backend are allocated there, and <see cref="Tensor.To(Device)"/> moves tensors to it.</summary>
internal interface IDeviceBackend
{
    /// <summary>The device its buffers live on.</summary>
    Device Device { get; }

    /// <summary>Its op table.</summary>
    BackendOps Ops { get; }

    /// <summary>A buffer of <paramref name="length"/> elements of <paramref name="dtype"/>, zeroed when
    /// <paramref name="zeroed"/>.</summary>
    TensorStorage Allocate(DType dtype, int length, bool zeroed);

    /// <summary>Sets every element of <paramref name="storage"/> (one of its buffers) to <paramref name="value"/> on
    /// the device, in order with its kernels.</summary>
    void Fill(TensorStorage storage, double value);
}

/// <summary>Where tensors' storage comes from: the thread's backend when it is a device's, else managed arrays; and
/// which backend holds each device's tensors.</summary>
internal static class DeviceStorage
{
    private static readonly Dictionary<Device, IDeviceBackend> s_devices = [];

    /// <summary>A buffer for a tensor made on this thread: on the thread's backend's device, or a managed array.</summary>
    public static TensorStorage Allocate(DType dtype, int length, bool zeroed) =>
        Backend.Current is IDeviceBackend device ? device.Allocate(dtype, length, zeroed) : OnHost(dtype, length, zeroed);

    /// <summary>A buffer on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidOperationException">No backend for that device has been started in this process.</exception>
    public static TensorStorage Allocate(Device device, DType dtype, int length, bool zeroed)
    {
        return BackendOf(device) is { } backend ? backend.Allocate(dtype, length, zeroed) : OnHost(dtype, length, zeroed);
    }

    /// <summary>The backend holding <paramref name="device"/>'s tensors, or null for the CPU.</summary>
    /// <exception cref="InvalidOperationException">No backend for that device has been started in this process.</exception>
    public static IDeviceBackend? BackendOf(Device device)
    {
        if (device.Type == DeviceType.Cpu) return null;
        lock (s_devices)
        {
            return s_devices.TryGetValue(device, out var backend) ? backend : throw new InvalidOperationException(
                $"no backend for {device} has been started in this process (Nabla.Cuda starts the GPU's)");
        }
    }

    /// <summary>Makes <paramref name="backend"/> the one that holds its device's tensors.</summary>
    public static void Register(IDeviceBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        lock (s_devices) s_devices[backend.Device] = backend;
    }

    /// <summary>Forgets <paramref name="backend"/> (stopped) when it is still its device's.</summary>
    public static void Unregister(IDeviceBackend backend)
    {
        lock (s_devices)
        {
            if (s_devices.TryGetValue(backend.Device, out var registered) && registered == backend) s_devices.Remove(backend.Device);
        }
    }

    private static TensorStorage OnHost(DType dtype, int length, bool zeroed) => dtype switch
    {
        DType.Float32 => new CpuStorage<float>(zeroed ? new float[length] : GC.AllocateUninitializedArray<float>(length)),
        DType.Float64 => new CpuStorage<double>(zeroed ? new double[length] : GC.AllocateUninitializedArray<double>(length)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
