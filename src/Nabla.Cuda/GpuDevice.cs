using ILGPU.Runtime.Cuda;
using Nabla.Tensors;

namespace Nabla.Cuda;

/// <summary>A started GPU: while it is open, <see cref="Device.Cuda"/> is this GPU, so that
/// <c>model.To(Device.Cuda)</c> and <c>tensor.To(Device.Cuda)</c> move there, and a training step of a model there runs
/// its kernels on it. Disposing it stops the GPU's backend; tensors left on it must not be used after.</summary>
/// <example><code>
/// using var gpu = GpuDevice.Start();           // the first CUDA GPU, or one clear error naming what is missing
/// model.To(Device.Cuda);                        // parameters and buffers move in place: optimisers keep them
/// var trainer = new Trainer(model, loss, optimizer);
/// </code></example>
public sealed class GpuDevice : IDisposable
{
    private readonly GpuBackend _backend;

    private GpuDevice(GpuBackend backend)
    {
        _backend = backend;
    }

    /// <summary>The accelerator's name ("NVIDIA H200"; "CPUAccelerator" for <see cref="StartOnCpuAccelerator"/>).</summary>
    public string Name => _backend.Kernels.DeviceName;

    /// <summary>The accelerator's memory in bytes.</summary>
    public long MemoryBytes => _backend.Kernels.Accelerator.MemorySize;

    /// <summary>Whether <paramref name="bytes"/> of data may live on the GPU: a quarter of its memory at most, the rest
    /// left to the model, its activations and its gradients.</summary>
    public bool HoldsData(long bytes) => bytes <= MemoryBytes / 4;

    /// <summary>Whether matrix products go through cuBLAS (on a CUDA GPU) rather than Nabla's tiled kernel.</summary>
    public bool UsesCublas => _backend.Kernels.UsesCublas;

    /// <summary>Starts the first CUDA GPU, with cuBLAS for the matrix products.</summary>
    /// <exception cref="InvalidOperationException">No usable GPU: the message is <see cref="CudaAvailability"/>'s one
    /// line (no driver, no GPU, no cuBLAS).</exception>
    public static GpuDevice Start() => Start(CudaAvailability.Probe());

    /// <summary>Starts the GPU <paramref name="availability"/> found (from <see cref="CudaAvailability.Probe"/>).</summary>
    /// <exception cref="InvalidOperationException">It found no usable GPU, or the driver would not start it.</exception>
    public static GpuDevice Start(CudaAvailability availability)
    {
        ArgumentNullException.ThrowIfNull(availability);
        if (!availability.Usable) throw new InvalidOperationException($"no usable GPU: {availability.Description}");
        try
        {
            return new GpuDevice(GpuBackend.StartOnCuda());
        }
        catch (Exception e) when (e is ILGPU.Runtime.AcceleratorException or CuBlasException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or NotSupportedException)
        {
            throw new InvalidOperationException($"{availability.Description} found, but its backend could not start: {e.Message}", e);
        }
    }

    /// <summary>Starts the GPU's kernels on ILGPU's CPU accelerator instead: the same code, run by host threads, much
    /// slower than the CPU backend. For checking GPU code paths on a machine without a GPU (tests, CI).</summary>
    public static GpuDevice StartOnCpuAccelerator() => new(GpuBackend.StartOnCpuAccelerator());

    /// <summary>Waits for every kernel launched on the GPU (for timing).</summary>
    public void Synchronize() => _backend.Kernels.Synchronize();

    /// <summary>Stops the GPU's backend and frees its memory.</summary>
    public void Dispose() => _backend.Dispose();
}
