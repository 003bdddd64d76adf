using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>Buffers for the kernel tests: the same values on the CPU and on the accelerator, and back as doubles.</summary>
internal static class Storage
{
    public static BackendStorage Cpu(DType dtype, double[] values) => dtype == DType.Float32
        ? new CpuStorage<float>([.. values.Select(v => (float)v)])
        : new CpuStorage<double>((double[])values.Clone());

    public static BackendStorage Gpu(GpuKernels kernels, DType dtype, double[] values)
    {
        if (dtype == DType.Float32)
        {
            var single = kernels.Allocate<float>(values.Length);
            single.CopyFrom([.. values.Select(v => (float)v)]);
            return single;
        }

        var device = kernels.Allocate<double>(values.Length);
        device.CopyFrom(values);
        return device;
    }

    public static double[] Host(BackendStorage storage) => storage switch
    {
        CpuStorage<float> c => [.. c.Data.Select(v => (double)v)],
        CpuStorage<double> c => (double[])c.Data.Clone(),
        GpuStorage<float> g => [.. g.ToArray().Select(v => (double)v)],
        GpuStorage<double> g => g.ToArray(),
        _ => throw new ArgumentException(storage.GetType().Name),
    };

    /// <summary>Every element of the GPU's result within the dtype's tolerance (1e-6 in float32, 1e-12 in float64) of the
    /// CPU's, relative to <paramref name="scale"/> (by default the CPU result's largest finite magnitude); NaN where the
    /// CPU has NaN.</summary>
    public static void AssertClose(BackendStorage cpu, BackendStorage gpu, DType dtype, string what, double? scale = null) =>
        AssertClose(Host(cpu), Host(gpu), dtype, what, scale);

    /// <inheritdoc cref="AssertClose(BackendStorage, BackendStorage, DType, string, double?)"/>
    public static void AssertClose(double[] expected, double[] actual, DType dtype, string what, double? scale = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        scale ??= Math.Max(expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-30);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i])) Assert.True(double.IsNaN(actual[i]), $"{what} ({dtype}): element {i} is {actual[i]} on the GPU, NaN on the CPU");
            else Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"{what} ({dtype}): element {i} is {actual[i]:R} on the GPU, {expected[i]:R} on the CPU");
        }
    }
}
