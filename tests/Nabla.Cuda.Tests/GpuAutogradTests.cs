using Nabla.Backends;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>Autograd on the GPU's backend: a network moved with <c>Module.To(Device.Cuda)</c> and run under the GPU's
/// backend computes, through the GPU's op table, the CPU's loss and every parameter's gradient (to 1e-6 in float32,
/// 1e-12 in float64), for the benchmark workloads' layer kinds: W1's MLP, W4's convolutions and pooling, W5's batch norm
/// and dropout.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuAutogradTests(CpuAcceleratorFixture fixture)
{
    private static Module Build(string workload, DType dtype) => workload switch
    {
        "W1" => Architecture.Build("fc16-relu-fc12-relu-fc4", [36], new Random(1), dtype: dtype).Model,
        "W4" => Architecture.Build("conv4k3p1-relu-pool2-conv6k3p1-relu-pool2-flatten-fc8-relu-fc4", [1, 6, 6], new Random(1), flatInput: true, dtype: dtype).Model,
        _ => Architecture.Build("conv4k3p1-bn-relu-conv4k3p1-bn-relu-pool2-dropout0.25-flatten-fc8-bn-relu-dropout0.5-fc4", [1, 6, 6], new Random(1), flatInput: true, dtype: dtype).Model,
    };

    [Theory]
    [InlineData("W1", DType.Float32)]
    [InlineData("W1", DType.Float64)]
    [InlineData("W4", DType.Float32)]
    [InlineData("W4", DType.Float64)]
    [InlineData("W5", DType.Float32)]
    [InlineData("W5", DType.Float64)]
    public void Forward_and_backward_on_the_GPU_give_the_CPUs_loss_and_gradients(string workload, DType dtype)
    {
        var random = new Random(3);
        var x = Tensor.Normal([8, 36], 0, 1, random, dtype);
        int[] labels = [.. Enumerable.Range(0, 8).Select(_ => random.Next(4))];

        var cpu = Build(workload, dtype);
        var cpuLoss = new CrossEntropyLoss().Compute(cpu.Forward(x), labels);
        cpuLoss.Backward();

        var gpu = Build(workload, dtype).To(Device.Cuda);
        Assert.All(gpu.Parameters(), p => Assert.Equal(Device.Cuda, p.Device));
        double gpuLossValue;
        using (Backend.Use(fixture.Backend))
        {
            var gpuLoss = new CrossEntropyLoss().Compute(gpu.Forward(x.To(Device.Cuda)), labels);
            Assert.Equal(Device.Cuda, gpuLoss.Device);
            gpuLoss.Backward();
            gpuLossValue = gpuLoss.Item();
        }

        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        Assert.True(Math.Abs(cpuLoss.Item() - gpuLossValue) <= tolerance * Math.Abs(cpuLoss.Item()), $"loss {gpuLossValue} on the GPU, {cpuLoss.Item()} on the CPU");
        double largest = cpu.Parameters().Max(p => p.Grad!.ToDoubleArray().Max(Math.Abs));
        foreach (var ((name, expected), (_, actual)) in cpu.NamedParameters().Zip(gpu.NamedParameters()))
        {
            Assert.Equal(Device.Cuda, actual.Grad!.Device);
            double[] want = expected.Grad!.ToDoubleArray(), got = actual.Grad.ToDoubleArray();
            if (want.Max(Math.Abs) <= 1e3 * tolerance * largest)
            {
                // Zero but for rounding (a convolution's bias just before batch norm, which subtracts it again): the two
                // devices round differently, and both must stay at the rounding's size.
                Assert.True(got.Max(Math.Abs) <= 1e3 * tolerance * largest, $"{workload} ∂{name} is zero but for rounding on the CPU, up to {got.Max(Math.Abs):E2} on the GPU");
                continue;
            }

            Storage.AssertClose(want, got, dtype, $"{workload} ∂{name}");
        }

        // The batch norms' running statistics moved alike.
        foreach (var ((name, expected), (_, actual)) in cpu.NamedBuffers().Zip(gpu.NamedBuffers()))
            Storage.AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), dtype, $"{workload} {name}");
    }

    [Fact]
    public void A_CPU_tensor_given_to_an_op_on_the_GPU_is_refused_naming_both_devices()
    {
        var gpu = Build("W1", DType.Float32).To(Device.Cuda);
        var onCpu = Tensor.Zeros([2, 36]);
        using var scope = Backend.Use(fixture.Backend);
        var error = Assert.Throws<InvalidOperationException>(() => gpu.Forward(onCpu));
        Assert.Contains("an op on cuda was given a tensor on cpu", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensors_move_to_the_GPU_and_back_unchanged_and_print()
    {
        var x = Tensor.FromArray(new double[] { 1.5, -2, 3.25, 0 }, [2, 2]);
        var onGpu = x.To(Device.Cuda);
        Assert.Equal(Device.Cuda, onGpu.Device);
        Assert.Same(onGpu, onGpu.To(Device.Cuda));
        Assert.Equal(x.ToDoubleArray(), onGpu.ToDoubleArray());
        Assert.Equal(x.ToDoubleArray(), onGpu.To(Device.Cpu).ToDoubleArray());
        Assert.Equal(Device.Cpu, onGpu.To(Device.Cpu).Device);
        Assert.Contains("3.25", onGpu.ToString(), StringComparison.Ordinal);
        var error = Assert.Throws<InvalidOperationException>(() => onGpu.AsSpan<double>());
        Assert.Contains("on cuda", error.Message, StringComparison.Ordinal);
    }
}
