using Nabla.Cuda;

namespace Nabla.Cli;

/// <summary>Where a run trains, as --device chose it: on the GPU or not, and what the banner says of it.</summary>
/// <param name="OnGpu">Whether the run moves its model to the GPU (<see cref="DeviceChoice.Start"/>).</param>
/// <param name="Note">What the banner says after "N thread(s)", or null for a plain --device cpu run.</param>
/// <param name="OnCpuAccelerator">Whether the GPU's code runs on ILGPU's CPU accelerator
/// (<see cref="DeviceChoice.CpuAcceleratorVariable"/>) rather than a CUDA GPU.</param>
/// <param name="Auto">Whether --device auto chose it, so that what the GPU cannot do falls back to the CPU.</param>
/// <param name="Found">The GPU found, in words, when one was.</param>
internal sealed record DeviceSelection(bool OnGpu, string? Note, bool OnCpuAccelerator = false, bool Auto = false, string? Found = null);

/// <summary>--device: where a run trains. cpu, the default; cuda, an NVIDIA GPU, refused with the one thing that is
/// missing when none is usable; auto, the GPU when one is usable, else the CPU, saying which in the banner.</summary>
internal static class DeviceChoice
{
    public const string Cpu = "cpu", Cuda = "cuda", Auto = "auto";

    /// <summary>Set to 1, --device cuda and auto run the GPU's kernels on ILGPU's CPU accelerator: the GPU code path
    /// end to end on a machine without a GPU, far slower than the CPU backend. For tests.</summary>
    public const string CpuAcceleratorVariable = "NABLA_CUDA_ON_CPU";

    /// <summary>The device <paramref name="value"/> names, the GPU probed (by <paramref name="probe"/>, else
    /// <see cref="CudaAvailability.Probe"/>) when it matters.</summary>
    /// <exception cref="UsageException">An unknown value, or --device cuda on a machine with no usable GPU.</exception>
    public static DeviceSelection Resolve(string? value, Func<CudaAvailability>? probe = null)
    {
        switch (value ?? Cpu)
        {
            case Cpu:
                return new(false, null);
            case Cuda:
            {
                var (cuda, simulated) = Probe(probe);
                if (!cuda.Usable) throw new UsageException($"--device cuda: no usable GPU: {cuda.Description} (use --device cpu or auto)");
                return new(true, $"on {cuda.Description}", simulated, Found: cuda.Description);
            }

            case Auto:
            {
                var (cuda, simulated) = Probe(probe);
                return cuda.Usable
                    ? new(true, $"on {cuda.Description} (--device auto)", simulated, Auto: true, Found: cuda.Description)
                    : new(false, $"on the CPU (--device auto: {cuda.Description})", Auto: true);
            }

            default:
                throw new UsageException($"--device must be cpu, cuda or auto, not '{value}'");
        }
    }

    /// <summary>The CPU in place of the GPU <paramref name="selection"/> found, for a run the GPU cannot take
    /// (<paramref name="reason"/>): what --device auto does, saying so in the banner.</summary>
    public static DeviceSelection OnCpuInstead(DeviceSelection selection, string reason) =>
        new(false, $"on the CPU (--device auto: {selection.Found} found, but {reason})", Auto: true);

    /// <summary>Starts the GPU <paramref name="selection"/> chose; null when it trains on the CPU.</summary>
    /// <exception cref="UsageException">The GPU was found but would not start (the driver's reason, in one line).</exception>
    public static GpuDevice? Start(DeviceSelection selection)
    {
        if (!selection.OnGpu) return null;
        if (selection.OnCpuAccelerator) return GpuDevice.StartOnCpuAccelerator();
        try
        {
            return GpuDevice.Start();
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--device: {e.Message}");
        }
    }

    private static (CudaAvailability Cuda, bool Simulated) Probe(Func<CudaAvailability>? probe)
    {
        if (Environment.GetEnvironmentVariable(CpuAcceleratorVariable) == "1")
            return (new CudaAvailability(true, $"ILGPU's CPU accelerator ({CpuAcceleratorVariable}=1)"), true);
        return ((probe ?? CudaAvailability.Probe)(), false);
    }
}
