using Nabla.Backends;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>The convolution (im2col on the GPU's matrix kernel) and max pooling, forward and backward, against the CPU's
/// op objects for the same geometry: padding, strides, dilation, groups, bias and the fused ReLU; for pooling,
/// overlapping windows, ties and NaN.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuWindowKernelTests(CpuAcceleratorFixture fixture)
{
    private readonly GpuKernels _gpu = fixture.Kernels;
    private readonly BackendOps _ops = fixture.Ops;
    private readonly Random _random = new(13);

    private static BackendOps Cpu => Backend.Cpu.Ops;

    public static TheoryData<DType, int, int, int, int, int, int, int, bool, bool> Convolutions() => new()
    {
        // dtype, channels, size, kernel, stride, padding, dilation, groups, bias, relu
        { DType.Float32, 3, 7, 3, 1, 1, 1, 1, true, true },
        { DType.Float64, 3, 7, 3, 1, 1, 1, 1, true, true },
        { DType.Float32, 4, 8, 3, 2, 1, 1, 2, false, false },
        { DType.Float64, 4, 8, 3, 2, 1, 1, 2, true, false },
        { DType.Float64, 2, 9, 3, 1, 2, 2, 1, false, true },
        { DType.Float32, 2, 6, 1, 1, 0, 1, 1, true, false },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Convolutions_agree_forward_and_backward(DType dtype, int channels, int size, int kernel, int stride, int padding, int dilation, int groups, bool bias, bool relu)
    {
        const int batch = 2, outputs = 6;
        // The geometry's channels are a group's, as the convolution layer gives them.
        var geometry = new Conv2dGeometry(channels / groups, size, size, kernel, kernel, stride, stride, padding, padding, dilation, dilation);
        int positions = geometry.OutputHeight * geometry.OutputWidth, weights = outputs * (channels / groups) * kernel * kernel;
        var (cx, gx) = Pair(dtype, Values(batch * channels * size * size));
        var (cw, gw) = Pair(dtype, Values(weights));
        var (cb, gb) = Pair(dtype, Values(outputs));
        var (cy, gy) = Pair(dtype, new double[batch * outputs * positions]);
        var cpu = Cpu.Convolution(geometry, batch, outputs, groups);
        var gpu = _ops.Convolution(geometry, batch, outputs, groups);
        cpu.Forward(cx, cw, bias ? cb : null, cy, relu);
        gpu.Forward(gx, gw, bias ? gb : null, gy, relu);
        Close(cy, gy, dtype, "forward");

        var upstream = Values(batch * outputs * positions);
        var (cg, gg) = Pair(dtype, upstream);
        var (cdx, gdx) = Pair(dtype, new double[batch * channels * size * size]);
        var (cdw, gdw) = Pair(dtype, new double[weights]);
        var (cdb, gdb) = Pair(dtype, new double[outputs]);
        cpu.Backward(cx, cw, relu ? cy : null, cg, cdx, cdw, bias ? cdb : null);
        gpu.Backward(gx, gw, relu ? gy : null, gg, gdx, gdw, bias ? gdb : null);
        Close(cdx, gdx, dtype, "∂x");
        Close(cdw, gdw, dtype, "∂W");
        if (bias) Close(cdb, gdb, dtype, "∂bias");
    }

    [Theory]
    [InlineData(DType.Float32, 2, 2, 0)]
    [InlineData(DType.Float64, 2, 2, 0)]
    [InlineData(DType.Float32, 3, 2, 1)]
    [InlineData(DType.Float64, 3, 1, 1)]
    public void Max_pooling_agrees_forward_and_backward_with_ties_and_NaN(DType dtype, int kernel, int stride, int padding)
    {
        const int planes = 6, size = 7;
        var geometry = new Conv2dGeometry(1, size, size, kernel, kernel, stride, stride, padding, padding, 1, 1);
        var x = Values(planes * size * size).Select(v => Math.Round(v * 2) / 2).ToArray();   // ties
        x[10] = double.NaN;
        int outputsCount = planes * geometry.OutputHeight * geometry.OutputWidth;
        var (cx, gx) = Pair(dtype, x);
        var (cy, gy) = Pair(dtype, new double[outputsCount]);
        var cpu = Cpu.MaxPool(geometry, planes);
        var gpu = _ops.MaxPool(geometry, planes);
        cpu.Forward(cx, cy);
        gpu.Forward(gx, gy);
        Close(cy, gy, dtype, "forward");

        var (cg, gg) = Pair(dtype, Values(outputsCount));
        var (cdx, gdx) = Pair(dtype, new double[planes * size * size]);
        cpu.Backward(cg, cdx);
        gpu.Backward(gg, gdx);
        Close(cdx, gdx, dtype, "∂x");
    }

    private double[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (_random.NextDouble() * 2) - 1)];

    private (BackendStorage Cpu, BackendStorage Gpu) Pair(DType dtype, double[] values) => (Storage.Cpu(dtype, values), Storage.Gpu(_gpu, dtype, values));

    private static void Close(BackendStorage cpu, BackendStorage gpu, DType dtype, string what) => Storage.AssertClose(cpu, gpu, dtype, what);
}
