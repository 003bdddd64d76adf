using Nabla.Backends;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>Training-mode batch normalisation on the GPU against the CPU's op object: y and x̂, the fused ReLU, the
/// backward pass's ∂x, ∂γ and ∂β, and the running statistics updated from the batch's (which stay on the GPU; the
/// host arrays the op table passes are the CPU's only); for images (L &gt; 1) and features (L = 1), and for a channel
/// far from zero.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuNormalisationKernelTests(CpuAcceleratorFixture fixture)
{
    private readonly GpuKernels _gpu = fixture.Kernels;
    private readonly BackendOps _ops = fixture.Ops;
    private readonly Random _random = new(21);

    [Theory]
    [InlineData(DType.Float32, 10, false)]
    [InlineData(DType.Float32, 10, true)]
    [InlineData(DType.Float32, 1, true)]
    [InlineData(DType.Float64, 10, true)]
    [InlineData(DType.Float64, 1, false)]
    public void Batch_norm_agrees_forward_and_backward(DType dtype, int length, bool relu)
    {
        const int n = 6, channels = 3;
        int count = n * channels * length;
        // Channel 2 sits far from zero: the float32 statistics must keep its variance's digits.
        var x = Enumerable.Range(0, count).Select(i => ((i / length) % channels == 2 ? 100 : 0) + (_random.NextDouble() * 2) - 1).ToArray();
        var (cx, gx) = Pair(dtype, x);
        var (cGamma, gGamma) = Pair(dtype, [0.5, 1.5, -2]);
        var (cBeta, gBeta) = Pair(dtype, [0.1, -0.2, 0.3]);
        var (cy, gy) = Pair(dtype, new double[count]);
        var (cHat, gHat) = Pair(dtype, new double[count]);
        double[] cpuMean = new double[channels], cpuVariance = new double[channels], gpuMean = new double[channels], gpuVariance = new double[channels];
        var cpu = Backend.Cpu.Ops.BatchNorm(n, channels, length, cpuMean, cpuVariance);
        var gpu = _ops.BatchNorm(n, channels, length, gpuMean, gpuVariance);
        cpu.Forward(cx, cGamma, cBeta, cy, cHat, 1e-5, relu);
        gpu.Forward(gx, gGamma, gBeta, gy, gHat, 1e-5, relu);
        Storage.AssertClose(cy, gy, dtype, "y");
        Storage.AssertClose(cHat, gHat, dtype, "x̂");

        var upstream = Enumerable.Range(0, count).Select(_ => (_random.NextDouble() * 2) - 1).ToArray();
        var (cg, gg) = Pair(dtype, upstream);
        var (cdx, gdx) = Pair(dtype, new double[count]);
        var (cdGamma, gdGamma) = Pair(dtype, new double[channels]);
        var (cdBeta, gdBeta) = Pair(dtype, new double[channels]);
        cpu.Backward(cg, cHat, cGamma, cdx, cdGamma, cdBeta, relu ? cy : null);
        gpu.Backward(gg, gHat, gGamma, gdx, gdGamma, gdBeta, relu ? gy : null);
        Storage.AssertClose(cdx, gdx, dtype, "∂x");
        Storage.AssertClose(cdGamma, gdGamma, dtype, "∂γ");
        Storage.AssertClose(cdBeta, gdBeta, dtype, "∂β");

        // The running statistics from the batch's μ and σ², updated where they lie (on the GPU, from its own copy).
        var (cRunningMean, gRunningMean) = Pair(dtype, [0.2, -0.1, 3]);
        var (cRunningVariance, gRunningVariance) = Pair(dtype, [1, 0.5, 2]);
        cpu.UpdateRunning(cRunningMean, cRunningVariance, 0.1, n * length);
        gpu.UpdateRunning(gRunningMean, gRunningVariance, 0.1, n * length);
        Storage.AssertClose(cRunningMean, gRunningMean, dtype, "running μ");
        Storage.AssertClose(cRunningVariance, gRunningVariance, dtype, "running σ²");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Layer_norm_agrees_forward_and_backward(DType dtype)
    {
        const int rows = 5, features = 12;
        var x = Enumerable.Range(0, rows * features).Select(i => (i / features == 3 ? 50 : 0) + (_random.NextDouble() * 2) - 1).ToArray();
        var gamma = Enumerable.Range(0, features).Select(_ => _random.NextDouble() + 0.5).ToArray();
        var beta = Enumerable.Range(0, features).Select(_ => _random.NextDouble() - 0.5).ToArray();
        var (cx, gx) = Pair(dtype, x);
        var (cGamma, gGamma) = Pair(dtype, gamma);
        var (cBeta, gBeta) = Pair(dtype, beta);
        var (cy, gy) = Pair(dtype, new double[rows * features]);
        var (cHat, gHat) = Pair(dtype, new double[rows * features]);
        double[] cpuInverse = new double[rows], gpuInverse = new double[rows];
        Backend.Cpu.Ops.LayerNormForward(cx, cGamma, cBeta, cy, cHat, features, cpuInverse, 1e-5);
        _ops.LayerNormForward(gx, gGamma, gBeta, gy, gHat, features, gpuInverse, 1e-5);
        Storage.AssertClose(cpuInverse, gpuInverse, DType.Float64, "1/σ");
        Storage.AssertClose(cy, gy, dtype, "y");
        Storage.AssertClose(cHat, gHat, dtype, "x̂");

        var (cg, gg) = Pair(dtype, Enumerable.Range(0, rows * features).Select(_ => _random.NextDouble() - 0.5).ToArray());
        var (cdx, gdx) = Pair(dtype, new double[rows * features]);
        var (cdGamma, gdGamma) = Pair(dtype, new double[features]);
        var (cdBeta, gdBeta) = Pair(dtype, new double[features]);
        Backend.Cpu.Ops.LayerNormBackward(cg, cHat, cGamma, cdx, cdGamma, cdBeta, cpuInverse, new double[features], new double[features]);
        _ops.LayerNormBackward(gg, gHat, gGamma, gdx, gdGamma, gdBeta, gpuInverse, new double[features], new double[features]);
        Storage.AssertClose(cdx, gdx, dtype, "∂x");
        Storage.AssertClose(cdGamma, gdGamma, dtype, "∂γ");
        Storage.AssertClose(cdBeta, gdBeta, dtype, "∂β");
    }

    private (BackendStorage Cpu, BackendStorage Gpu) Pair(DType dtype, double[] values) => (Storage.Cpu(dtype, values), Storage.Gpu(_gpu, dtype, values));
}
