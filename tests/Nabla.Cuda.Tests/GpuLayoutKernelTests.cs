using Nabla.Backends;
using Nabla.Kernels;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>The layout entries (permute, narrow, place, row gathers and scatters, per-row picks), average pooling and
/// the smooth activations on the GPU against the CPU's table.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuLayoutKernelTests(CpuAcceleratorFixture fixture)
{
    private readonly GpuKernels _gpu = fixture.Kernels;
    private readonly BackendOps _ops = fixture.Ops;
    private readonly Random _random = new(31);

    private static BackendOps Cpu => Backend.Cpu.Ops;

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Permutes_agree_for_two_to_four_axes(DType dtype)
    {
        foreach (var (dims, perm) in new (int[], int[])[] { ([5, 7], [1, 0]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4, 5], [0, 2, 3, 1]), ([3, 1, 4], [1, 2, 0]) })
        {
            int count = dims.Aggregate(1, (a, b) => a * b);
            var (cx, gx) = Pair(dtype, Values(count));
            var (cy, gy) = Pair(dtype, new double[count]);
            Cpu.Permute(cx, dims, perm, cy);
            _ops.Permute(gx, dims, perm, gy);
            Assert.Equal(Storage.Host(cy), Storage.Host(gy));
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Narrow_and_place_agree(DType dtype)
    {
        var (cx, gx) = Pair(dtype, Values(3 * 8 * 5));
        var (cy, gy) = Pair(dtype, new double[3 * 4 * 5]);
        Cpu.Narrow(cx, 3, 8, 5, 2, 4, cy);
        _ops.Narrow(gx, 3, 8, 5, 2, 4, gy);
        Assert.Equal(Storage.Host(cy), Storage.Host(gy));

        var destination = Values(3 * 8 * 5);
        var (cd, gd) = Pair(dtype, destination);
        Cpu.Place(cy, 3, 8, 5, 3, 4, cd);
        _ops.Place(gy, 3, 8, 5, 3, 4, gd);
        Assert.Equal(Storage.Host(cd), Storage.Host(gd));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Row_gathers_scatters_and_per_row_picks_agree(DType dtype)
    {
        int[] rows = [4, 0, 4, 2, 4, 1];   // repeated: the scatter adds a row three times, in order
        var (cs, gs) = Pair(dtype, Values(5 * 7));
        var (cg, gg) = Pair(dtype, new double[6 * 7]);
        Cpu.GatherRows(cs, rows, 7, cg);
        _ops.GatherRows(gs, rows, 7, gg);
        Assert.Equal(Storage.Host(cg), Storage.Host(gg));

        var (cd, gd) = Pair(dtype, Values(5 * 7));
        Cpu.ScatterAddRows(cg, rows, 7, cd);
        _ops.ScatterAddRows(gg, rows, 7, gd);
        Assert.Equal(Storage.Host(cd), Storage.Host(gd));

        int[] columns = [6, 0, 3, 3, 1, 5];
        var (cp, gp) = Pair(dtype, new double[6]);
        Cpu.PickPerRow(cg, columns, 7, cp);
        _ops.PickPerRow(gg, columns, 7, gp);
        Assert.Equal(Storage.Host(cp), Storage.Host(gp));
        var (cq, gq) = Pair(dtype, Values(6 * 7));
        Cpu.PlacePerRow(cp, columns, 7, cq);
        _ops.PlacePerRow(gp, columns, 7, gq);
        Assert.Equal(Storage.Host(cq), Storage.Host(gq));
    }

    [Theory]
    [InlineData(DType.Float32, 2, 2, 0)]
    [InlineData(DType.Float64, 3, 2, 1)]
    [InlineData(DType.Float32, 3, 1, 1)]
    public void Average_pooling_agrees_forward_and_backward(DType dtype, int kernel, int stride, int padding)
    {
        const int planes = 4, size = 7;
        var geometry = new Conv2dGeometry(1, size, size, kernel, kernel, stride, stride, padding, padding, 1, 1);
        int outputs = planes * geometry.OutputHeight * geometry.OutputWidth;
        var (cx, gx) = Pair(dtype, Values(planes * size * size));
        var start = Values(outputs);   // the pass adds to what is there
        var (cy, gy) = Pair(dtype, start);
        Cpu.AveragePool(cx, cy, planes, geometry, forward: true);
        _ops.AveragePool(gx, gy, planes, geometry, forward: true);
        Storage.AssertClose(cy, gy, dtype, "forward");

        var (cdx, gdx) = Pair(dtype, Values(planes * size * size));
        Cpu.AveragePool(cdx, cy, planes, geometry, forward: false);
        _ops.AveragePool(gdx, gy, planes, geometry, forward: false);
        Storage.AssertClose(cdx, gdx, dtype, "backward");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Smooth_activations_agree_with_their_derivatives(DType dtype)
    {
        var x = Values(64).Select(v => v * 30).ToArray();   // past softplus's threshold of 20 on both sides
        x[5] = 1e-9;   // ELU's expm1 near zero
        foreach (var kind in Enum.GetValues<SmoothActivation>())
        {
            var (cx, gx) = Pair(dtype, x);
            var (cy, gy) = Pair(dtype, new double[64]);
            var (cd, gd) = Pair(dtype, new double[64]);
            Cpu.SmoothActivation(kind, 0.7, 64).Run(cx, cy, cd);
            _ops.SmoothActivation(kind, 0.7, 64).Run(gx, gy, gd);
            Storage.AssertClose(cy, gy, dtype, $"{kind}");
            Storage.AssertClose(cd, gd, dtype, $"{kind}′");
        }
    }

    private double[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (_random.NextDouble() * 2) - 1)];

    private (BackendStorage Cpu, BackendStorage Gpu) Pair(DType dtype, double[] values) => (Storage.Cpu(dtype, values), Storage.Gpu(_gpu, dtype, values));
}
