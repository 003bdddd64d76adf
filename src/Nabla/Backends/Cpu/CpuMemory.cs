namespace Nabla.Backends.Cpu;

/// <summary>The CPU backend's view of its buffers: each is a managed array, of float (Float32) or double (Float64).
/// Every access is reported to the checking backend, which is how it sees what a kernel reads and writes.</summary>
internal static class CpuMemory
{
    /// <summary>The array of <paramref name="storage"/>, whose elements must be <typeparamref name="T"/>.</summary>
    public static T[] Of<T>(BackendStorage storage)
    {
        Backend.Checking?.Touched(storage);
        return storage.Memory is Array ? (T[])storage.Memory : throw NotOnHost(storage);   // an array of the other type: the cast says so
    }

    /// <summary>The array of <paramref name="storage"/>, or null for a missing operand (a bias the layer lacks).</summary>
    public static T[]? OfOptional<T>(BackendStorage? storage) => storage is null ? null : Of<T>(storage);

    /// <summary>Whether the elements are float (Float32); the one dtype dispatch of the CPU kernels.</summary>
    public static bool IsSingle(BackendStorage storage) => storage.Memory switch
    {
        float[] => true,
        double[] => false,
        _ => throw NotOnHost(storage),
    };

    /// <summary>A CPU kernel handed a device's buffer: the op mixed devices, or ran outside the device's backend.</summary>
    private static InvalidOperationException NotOnHost(BackendStorage storage) => new(
        $"an op on the CPU was given a tensor on {(storage is Tensors.TensorStorage t ? t.Device.ToString() : storage.GetType().Name)}: move the tensors to one device first (To(Device.Cpu), or a model's device with Module.To)");
}
