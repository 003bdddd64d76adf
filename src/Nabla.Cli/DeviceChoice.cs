using Nabla.Cuda;

namespace Nabla.Cli;

/// <summary>--device: where a run trains. cpu, the default; cuda, an NVIDIA GPU, refused with the one thing that is
/// missing when none is usable; auto, the GPU when one is usable, else the CPU, saying why in the banner.</summary>
internal static class DeviceChoice
{
    public const string Cpu = "cpu", Cuda = "cuda", Auto = "auto";

    /// <summary>What the banner says of the device after "N thread(s)", or null for a plain --device cpu run.</summary>
    /// <exception cref="UsageException">An unknown value, or --device cuda on a machine with no usable GPU.</exception>
    public static string? Resolve(string? value, Func<CudaAvailability>? probe = null)
    {
        switch (value ?? Cpu)
        {
            case Cpu:
                return null;
            case Cuda:
            {
                var cuda = (probe ?? CudaAvailability.Probe)();
                if (!cuda.Usable) throw new UsageException($"--device cuda: no usable GPU: {cuda.Description} (use --device cpu or auto)");
                throw new UsageException($"--device cuda: {cuda.Description} found, but this build does not yet start its GPU backend on a CUDA device (use --device cpu or auto)");
            }

            case Auto:
            {
                var cuda = (probe ?? CudaAvailability.Probe)();
                return cuda.Usable
                    ? $"on the CPU (--device auto: {cuda.Description} found, but this build trains on the CPU only)"
                    : $"on the CPU (--device auto: {cuda.Description})";
            }

            default:
                throw new UsageException($"--device must be cpu, cuda or auto, not '{value}'");
        }
    }
}
