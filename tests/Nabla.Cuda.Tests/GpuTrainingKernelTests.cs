using Nabla.Backends;
using Nabla.Kernels;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>The GPU kernels a training step needs beyond the layers' own: dropout's mask, targets from labels, the
/// predicted classes, whole-buffer sums, and the optimisers' updates, each against the CPU's (the optimisers against
/// the CPU optimiser classes themselves), on ILGPU's CPU accelerator.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuTrainingKernelTests(CpuAcceleratorFixture fixture)
{
    private readonly GpuKernels _gpu = fixture.Kernels;
    private readonly BackendOps _ops = fixture.Ops;
    private readonly Random _random = new(9);

    private static BackendOps Cpu => Backend.Cpu.Ops;

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Dropout_masks_are_the_CPUs_bit_for_bit(DType dtype)
    {
        ulong key = CounterRandom.Key(17);
        var cpu = Storage.Cpu(dtype, new double[300]);
        var gpu = Storage.Gpu(_gpu, dtype, new double[300]);
        Cpu.DropoutMask(cpu, key, 1000, 0.7, 13, 250);
        _ops.DropoutMask(gpu, key, 1000, 0.7, 13, 250);
        var expected = Storage.Host(cpu);
        Assert.Equal(expected, Storage.Host(gpu));
        int kept = expected.Skip(13).Take(250).Count(v => v != 0);
        Assert.InRange(kept, 150, 200);   // about 0.7 of 250: the mask is not all ones or all zeros
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Targets_from_labels_and_predicted_classes_agree(DType dtype)
    {
        int[] labels = [3, 0, 9, 9, 1, 4, 7];
        var cpuOneHot = Storage.Cpu(dtype, new double[70]);
        var gpuOneHot = Storage.Gpu(_gpu, dtype, new double[70]);
        Cpu.OneHot(labels, 10, cpuOneHot);
        _ops.OneHot(labels, 10, gpuOneHot);
        Assert.Equal(Storage.Host(cpuOneHot), Storage.Host(gpuOneHot));

        var cpuValues = Storage.Cpu(dtype, new double[7]);
        var gpuValues = Storage.Gpu(_gpu, dtype, new double[7]);
        Cpu.LabelValues(labels, cpuValues);
        _ops.LabelValues(labels, gpuValues);
        Assert.Equal(Storage.Host(cpuValues), Storage.Host(gpuValues));

        // Ties go to the first index, and a NaN wins where it stands.
        var logits = Enumerable.Range(0, 6 * 10).Select(_ => Math.Round(_random.NextDouble() * 4)).ToArray();
        logits[25] = double.NaN;
        var cpuLogits = Storage.Cpu(dtype, logits);
        var gpuLogits = Storage.Gpu(_gpu, dtype, logits);
        foreach (var (outer, n, inner) in new[] { (6, 10, 1), (2, 3, 10), (1, 60, 1) })
        {
            var expected = new int[outer * inner];
            var actual = new int[outer * inner];
            Cpu.ArgMaxAxis(cpuLogits, outer, n, inner, expected);
            _ops.ArgMaxAxis(gpuLogits, outer, n, inner, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Whole_buffer_sums_agree_to_the_size_of_their_terms(DType dtype)
    {
        var values = Enumerable.Range(0, 1000).Select(_ => (_random.NextDouble() * 4) - 2).ToArray();
        var cpu = Storage.Cpu(dtype, values);
        var gpu = Storage.Gpu(_gpu, dtype, values);
        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        double terms = values.Sum(Math.Abs), squares = values.Sum(v => v * v);
        Assert.True(Math.Abs(Cpu.Sum(cpu) - _ops.Sum(gpu)) <= tolerance * terms, $"Σx {_ops.Sum(gpu)} on the GPU, {Cpu.Sum(cpu)} on the CPU");
        Assert.True(Math.Abs(Cpu.SumOfSquares(cpu) - _ops.SumOfSquares(gpu)) <= tolerance * squares, $"Σx² {_ops.SumOfSquares(gpu)} on the GPU, {Cpu.SumOfSquares(cpu)} on the CPU");
    }

    [Theory]
    [InlineData(DType.Float32, 0.0, false, 0.0)]
    [InlineData(DType.Float32, 0.9, false, 0.01)]
    [InlineData(DType.Float32, 0.9, true, 0.0)]
    [InlineData(DType.Float64, 0.0, false, 0.01)]
    [InlineData(DType.Float64, 0.9, true, 0.01)]
    public void Sgd_steps_agree_with_the_CPU_optimiser(DType dtype, double momentum, bool nesterov, double weightDecay)
    {
        var (weights, gradients) = Problem(dtype, 77, steps: 3);
        var parameter = Tensor.FromArray(weights, new Shape([7, 11])).To(dtype);
        var sgd = new Sgd([parameter], 0.05, momentum, nesterov, weightDecay);
        var w = Storage.Gpu(_gpu, dtype, weights);
        var velocity = momentum > 0 ? Storage.Gpu(_gpu, dtype, new double[77]) : null;
        foreach (var g in gradients)
        {
            parameter.UseGradient(Tensor.FromArray(g, new Shape([7, 11])).To(dtype));
            sgd.Step();
            _gpu.SgdStep(w, Storage.Gpu(_gpu, dtype, g), velocity, 0.05, momentum, nesterov, weightDecay);
        }

        AssertClose(parameter.ToDoubleArray(), Storage.Host(w), dtype, "SGD");
    }

    [Theory]
    [InlineData(DType.Float32, false)]
    [InlineData(DType.Float32, true)]
    [InlineData(DType.Float64, false)]
    [InlineData(DType.Float64, true)]
    public void Adam_steps_agree_with_the_CPU_optimiser(DType dtype, bool decoupled)
    {
        var (weights, gradients) = Problem(dtype, 77, steps: 4);
        var parameter = Tensor.FromArray(weights, new Shape([77])).To(dtype);
        Optimizer adam = decoupled ? new AdamW([parameter], 0.01, weightDecay: 0.05) : new Adam([parameter], 0.01, weightDecay: 0.05);
        var w = Storage.Gpu(_gpu, dtype, weights);
        var m = Storage.Gpu(_gpu, dtype, new double[77]);
        var v = Storage.Gpu(_gpu, dtype, new double[77]);
        long step = 0;
        foreach (var g in gradients)
        {
            parameter.UseGradient(Tensor.FromArray(g, new Shape([77])).To(dtype));
            adam.Step();
            _gpu.AdamStep(w, Storage.Gpu(_gpu, dtype, g), m, v, 0.01, 0.9, 0.999, 1e-8, 0.05, decoupled, ++step);
        }

        AssertClose(parameter.ToDoubleArray(), Storage.Host(w), dtype, decoupled ? "AdamW" : "Adam");
    }

    private (double[] Weights, double[][] Gradients) Problem(DType dtype, int count, int steps)
    {
        var weights = Enumerable.Range(0, count).Select(_ => _random.NextDouble() - 0.5).ToArray();
        var gradients = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, count).Select(_ => _random.NextDouble() - 0.5).ToArray()).ToArray();
        return (weights, gradients);
    }

    private static void AssertClose(double[] expected, double[] actual, DType dtype, string what) => Storage.AssertClose(expected, actual, dtype, what);

    [Fact]
    public void Uploads_queued_without_waiting_each_land_with_their_own_values()
    {
        // Labels go to the device through a ring of page-locked staging arrays, copied without waiting for the stream:
        // more uploads than the ring holds, with no read-back between them, must still each land as they were given
        // (a staging array refilled before its copy ran would hand a later upload's values to an earlier one). ILGPU's
        // CPU accelerator finishes each copy before returning, so only a run on a GPU (NABLA_TEST_DEVICE=cuda, as
        // bench/gpu/run.sh does) can catch that race; here it checks the ring's bookkeeping.
        const int Uploads = 10, Rows = 6;
        var outputs = Enumerable.Range(0, Uploads).Select(_ => Storage.Gpu(_gpu, DType.Float32, new double[Rows])).ToArray();
        var labels = Enumerable.Range(0, Uploads).Select(u => Enumerable.Range(0, Rows).Select(r => (u * 10) + r).ToArray()).ToArray();
        for (int u = 0; u < Uploads; u++) _ops.LabelValues(labels[u], outputs[u]);   // no copy back in between

        for (int u = 0; u < Uploads; u++)
            Assert.Equal(Enumerable.Range(0, Rows).Select(r => (double)((u * 10) + r)), Storage.Host(outputs[u]));
    }
}
