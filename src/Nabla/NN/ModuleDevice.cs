using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Where a module computes: the device its state is on, and the backend that runs kernels there. A forward
/// pass of a model on a GPU runs under that backend, so that the tensors it makes are allocated on the GPU and its ops
/// are the GPU's.</summary>
/// <remarks>The device is read from one tensor of the module's state, its anchor: <c>Module.To</c> moves every
/// parameter and buffer in place, so the anchor stays the same object and always says where the whole module is.
/// Callers that run often keep the anchor, so that asking costs no walk over the module's state.</remarks>
internal static class ModuleDevice
{
    /// <summary>The module's first parameter (or buffer), or null for a module without state.</summary>
    public static Tensor? Anchor(Module model)
    {
        foreach (var (_, tensor) in model.NamedState()) return tensor;
        return null;
    }

    /// <summary>The device of a module whose anchor is <paramref name="anchor"/>: the CPU for a module without state.</summary>
    public static Device Of(Tensor? anchor) => anchor?.Device ?? Device.Cpu;

    /// <summary>The backend that computes on that module's device: the device's for a module on one, else the
    /// thread's own (the CPU's, or a checking backend).</summary>
    public static Backend BackendFor(Tensor? anchor)
    {
        var device = Of(anchor);
        return device.Type == DeviceType.Cpu ? Backend.Current : (Backend)DeviceStorage.BackendOf(device)!;
    }
}
