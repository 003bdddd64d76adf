using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Cuda;

/// <summary>The GPU as the engine's backend: its op table (<see cref="GpuOps"/>), buffers in the accelerator's memory,
/// and kernels launched in order on the accelerator's stream. Registered as the backend of <see cref="Device.Cuda"/>,
/// so that <c>tensor.To(Device.Cuda)</c> lands on it; code run under <c>Backend.Use</c> of it allocates and computes
/// there. Started for users by <see cref="GpuDevice"/>.</summary>
internal sealed class GpuBackend : Backend, IDeviceBackend, IDisposable
{
    private readonly GpuOps _ops;

    private GpuBackend(GpuKernels kernels)
    {
        Kernels = kernels;
        _ops = new GpuOps(kernels);
    }

    /// <summary>The kernels and their accelerator.</summary>
    public GpuKernels Kernels { get; }

    public override BackendOps Ops => _ops;

    public Device Device => Device.Cuda;

    public override bool RunsOnHost => false;

    /// <summary>The backend on the first CUDA GPU, with cuBLAS, registered as <see cref="Device.Cuda"/>'s.</summary>
    public static GpuBackend StartOnCuda() => Register(new GpuBackend(GpuKernels.OnCuda()));

    /// <summary>The backend on ILGPU's CPU accelerator (the GPU's kernels run on the host: for tests), registered as
    /// <see cref="Device.Cuda"/>'s.</summary>
    public static GpuBackend StartOnCpuAccelerator() => Register(new GpuBackend(GpuKernels.OnCpuAccelerator()));

    public TensorStorage Allocate(DType dtype, int length, bool zeroed)
    {
        BackendStorage storage = dtype == DType.Float32 ? Kernels.Allocate<float>(length) : Kernels.Allocate<double>(length);
        if (zeroed) Kernels.Clear(storage);
        return (TensorStorage)storage;
    }

    public void Fill(TensorStorage storage, double value) => Kernels.Fill(storage, value);

    public override Action Prepare(Action kernel, BackendStorage?[] reads, BackendStorage?[] writes) => kernel;

    public void Dispose()
    {
        DeviceStorage.Unregister(this);
        Kernels.Dispose();
    }

    private static GpuBackend Register(GpuBackend backend)
    {
        DeviceStorage.Register(backend);
        return backend;
    }
}
