using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cuda.Tests;

/// <summary>Training steps of a model moved to the GPU (<c>Module.To(Device.Cuda)</c>): the step runs on the GPU's
/// backend, captured on its first batch and replayed after, or eager, with the optimiser's update on the device. On
/// ILGPU's CPU accelerator, a few steps of W1's MLP (SGD with momentum) and W4's CNN (Adam) end with the CPU's weights
/// (1e-6 in float32, 1e-12 in float64), and the captured steps with the eager ones.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuTrainingStepTests(CpuAcceleratorFixture fixture)
{
    private static Module Build(string workload, DType dtype) => workload == "W1"
        ? Architecture.Build("fc16-relu-fc12-relu-fc4", [36], new Random(1), dtype: dtype).Model
        : Architecture.Build("conv4k3p1-relu-pool2-conv6k3p1-relu-pool2-flatten-fc8-relu-fc4", [1, 6, 6], new Random(1), flatInput: true, dtype: dtype).Model;

    private static Optimizer OptimizerFor(string workload, Module model) => workload == "W1"
        ? new Sgd(model.Parameters(), 0.1, 0.9)
        : new Adam(model.Parameters(), 0.01);

    [Theory]
    [InlineData("W1", DType.Float32, true)]
    [InlineData("W1", DType.Float64, true)]
    [InlineData("W1", DType.Float64, false)]
    [InlineData("W4", DType.Float32, true)]
    [InlineData("W4", DType.Float64, false)]
    public void Steps_on_the_GPU_end_with_the_CPUs_weights(string workload, DType dtype, bool captures)
    {
        var random = new Random(5);
        var batches = Enumerable.Range(0, 5).Select(_ => (Tensor.Normal([8, 36], 0, 1, random, dtype), Enumerable.Range(0, 8).Select(_ => random.Next(4)).ToArray())).ToArray();

        var cpu = Build(workload, dtype);
        var cpuStep = TrainingStep.Capture(cpu, new CrossEntropyLoss(), OptimizerFor(workload, cpu), [new L2Regularizer(1e-3)]);
        var gpu = Build(workload, dtype).To(Device.Cuda);
        var gpuStep = TrainingStep.Capture(gpu, new CrossEntropyLoss(), OptimizerFor(workload, gpu), [new L2Regularizer(1e-3)]);
        gpuStep.Captures = captures;
        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        foreach (var (x, y) in batches)
        {
            var (cpuLoss, cpuCorrect) = cpuStep.Run(x, y);
            var (gpuLoss, gpuCorrect) = gpuStep.Run(x, y);   // a host batch: the step copies it to the device
            Assert.True(Math.Abs(cpuLoss - gpuLoss) <= tolerance * Math.Abs(cpuLoss), $"loss {gpuLoss} on the GPU, {cpuLoss} on the CPU");
            Assert.Equal(cpuCorrect, gpuCorrect);
        }

        Assert.Equal(captures ? 4 : 0, gpuStep.ReplayedSteps);
        foreach (var ((name, expected), (_, actual)) in cpu.NamedParameters().Zip(gpu.NamedParameters()))
        {
            Assert.Equal(fixture.Backend.Device, actual.Device);
            Storage.AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), dtype, $"{workload} {name} after 5 steps");
        }
    }
}
