using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace Nabla.Cuda;

/// <summary>Whether this machine can train on an NVIDIA GPU, and if not, the one thing that is missing: what
/// <c>nabla train --device cuda</c> says before it refuses, and what <c>--device auto</c> names when it stays on the
/// CPU.</summary>
/// <param name="Usable">A GPU, its driver and cuBLAS were all found.</param>
/// <param name="Description">The GPU found ("NVIDIA H200, 139 GiB"), or why there is none, in words.</param>
public sealed record CudaAvailability(bool Usable, string Description)
{
    /// <summary>The CUDA driver's library, which ILGPU loads.</summary>
    public const string DriverLibrary = "libcuda.so.1";

    /// <summary>The cuBLAS library under the name ILGPU 1.5 loads. CUDA 13 ships <c>libcublas.so.13</c>: link it under
    /// this name in a folder of its own, first on LD_LIBRARY_PATH (docs: ../shared/GPU.md).</summary>
    public const string CublasLibrary = "libcublas.so.12";

    /// <summary>Looks for the driver, a GPU and cuBLAS, in that order, and stops at the first missing.</summary>
    public static CudaAvailability Probe()
    {
        if (!NativeLibrary.TryLoad(DriverLibrary, out var driver))
            return new(false, $"no NVIDIA driver: {DriverLibrary} was not found");
        NativeLibrary.Free(driver);
        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0) return new(false, $"the NVIDIA driver ({DriverLibrary}) found no CUDA GPU");
            var device = devices[0];
            if (!NativeLibrary.TryLoad(CublasLibrary, out var cublas))
                return new(false, $"{device.Name} found, but not cuBLAS ({CublasLibrary}; with CUDA 13, link libcublas.so.13 under that name, first on LD_LIBRARY_PATH)");
            NativeLibrary.Free(cublas);
            return new(true, $"{device.Name}, {device.MemorySize / (1L << 30)} GiB");
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return new(false, $"the CUDA driver could not be started: {e.Message}");
        }
    }
}
