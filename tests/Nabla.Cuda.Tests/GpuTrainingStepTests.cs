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
    private static Module Build(string workload, DType dtype) => workload switch
    {
        "W1" => Architecture.Build("fc16-relu-fc12-relu-fc4", [36], new Random(1), dtype: dtype).Model,
        "W4" => Architecture.Build("conv4k3p1-relu-pool2-conv6k3p1-relu-pool2-flatten-fc8-relu-fc4", [1, 6, 6], new Random(1), flatInput: true, dtype: dtype).Model,
        _ => Architecture.Build("conv4k3p1-bn-relu-pool2-dropout0.25-flatten-fc8-bn-relu-fc4", [1, 6, 6], new Random(1), flatInput: true, dtype: dtype).Model,   // W5's kinds
    };

    // W5's kinds train with SGD here, not W5's AdamW: its first batch norm's β gets gradients near zero on these tiny
    // batches, and Adam's m/√v turns two roundings of a near-zero gradient into steps of ±η in either direction, so the
    // CPU's and the GPU's weights part by far more than their kernels do (checked: with SGD they agree to 1e-6/1e-12).
    private static Optimizer OptimizerFor(string workload, Module model) => workload == "W4"
        ? new Adam(model.Parameters(), 0.01)
        : new Sgd(model.Parameters(), 0.1, 0.9);

    [Theory]
    [InlineData("W1", DType.Float32, true)]
    [InlineData("W1", DType.Float64, true)]
    [InlineData("W1", DType.Float64, false)]
    [InlineData("W4", DType.Float32, true)]
    [InlineData("W4", DType.Float64, false)]
    [InlineData("W5", DType.Float32, true)]
    [InlineData("W5", DType.Float64, true)]
    [InlineData("W5", DType.Float32, false)]
    public void Steps_on_the_GPU_end_with_the_CPUs_weights(string workload, DType dtype, bool captures)
    {
        var random = new Random(5);
        var batches = Enumerable.Range(0, 5).Select(_ => (Tensor.Normal([8, 36], 0, 1, random, dtype), Enumerable.Range(0, 8).Select(_ => random.Next(4)).ToArray())).ToArray();

        var cpu = Build(workload, dtype);
        var cpuStep = TrainingStep.Capture(cpu, new CrossEntropyLoss(), OptimizerFor(workload, cpu), [new L2Regularizer(1e-3)]);
        var gpu = Build(workload, dtype).To(Device.Cuda);
        var gpuStep = TrainingStep.Capture(gpu, new CrossEntropyLoss(), OptimizerFor(workload, gpu), [new L2Regularizer(1e-3)]);
        gpuStep.Captures = captures;
        gpuStep.PoisonIntermediates = true;   // each replay first fills the capture's intermediates with NaN
        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        foreach (var (x, y) in batches)
        {
            var (cpuLoss, cpuCorrect) = cpuStep.Run(x, y);
            var (gpuLoss, gpuCorrect) = gpuStep.Run(x, y);   // a host batch: the step copies it to the device
            Assert.True(Math.Abs(cpuLoss - gpuLoss) <= tolerance * Math.Abs(cpuLoss), $"loss {gpuLoss} on the GPU, {cpuLoss} on the CPU");
            Assert.Equal(cpuCorrect, gpuCorrect);
        }

        Assert.Equal(captures ? 4 : 0, gpuStep.ReplayedSteps);
        if (captures) Assert.True(gpuStep.IntermediatesPoisoned >= 4 * 8, $"{gpuStep.IntermediatesPoisoned} intermediates poisoned in 4 replays");
        foreach (var ((name, expected), (_, actual)) in cpu.NamedState().Zip(gpu.NamedState()))
        {
            Assert.Equal(fixture.Backend.Device, actual.Device);
            Storage.AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), dtype, $"{workload} {name} after 5 steps");
        }
    }

    [Theory]
    [InlineData("W1")]
    [InlineData("W4")]
    [InlineData("W5")]
    public void A_replayed_step_copies_only_its_batch_its_labels_and_one_readout(string workload)
    {
        // The bar for a captured step on the GPU: no host↔device copy but the batch and the loss readout, so
        // no wait for the device inside the step. Each copy to the host waits for the stream; the count says how many.
        var random = new Random(2);
        var model = Build(workload, DType.Float32).To(Device.Cuda);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), OptimizerFor(workload, model));
        var x = Tensor.Normal([8, 36], 0, 1, random);
        int[] y = [0, 1, 2, 3, 0, 1, 2, 3];
        step.Run(x, y);   // the capture
        step.Run(x, y);
        long before = HostTransfers.Count;
        const int Steps = 3;
        for (int i = 0; i < Steps; i++) step.Run(x, y);
        Assert.Equal(Steps + 1, step.ReplayedSteps);
        Assert.Equal(3 * Steps, HostTransfers.Count - before);   // features, labels, readout

        // A batch already on the device (a dataset moved there) is copied on the device: labels and readout only.
        var onDevice = x.To(Device.Cuda);
        step.Run(onDevice, y);
        before = HostTransfers.Count;
        for (int i = 0; i < Steps; i++) step.Run(onDevice, y);
        Assert.Equal(2 * Steps, HostTransfers.Count - before);
    }

    [Fact]
    public void A_step_that_diverges_on_the_GPU_says_so_and_where()
    {
        var model = Build("W1", DType.Float32).To(Device.Cuda);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 1e30));
        var x = Tensor.Normal([8, 36], 0, 1, new Random(3));
        int[] y = [0, 1, 2, 3, 0, 1, 2, 3];
        var error = Assert.Throws<TrainingDivergedException>(() =>
        {
            for (int i = 0; i < 10; i++) step.Run(x, y);
        });
        Assert.StartsWith("training stopped at step ", error.Message, StringComparison.Ordinal);
        Assert.Contains("try a smaller learning rate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_model_moved_back_to_the_CPU_mid_training_keeps_its_optimiser_state(bool captures)
    {
        // Two Adam steps on the GPU, then the model back on the CPU for two more, with the same step and optimiser:
        // the moments carry over and the captures are made afresh, so the weights are a CPU-only run's.
        var random = new Random(6);
        var batches = Enumerable.Range(0, 4).Select(_ => (Tensor.Normal([8, 36], 0, 1, random, DType.Float64), Enumerable.Range(0, 8).Select(_ => random.Next(4)).ToArray())).ToArray();
        var cpu = Build("W1", DType.Float64);
        var cpuStep = TrainingStep.Capture(cpu, new CrossEntropyLoss(), new Adam(cpu.Parameters(), 0.01));
        var moved = Build("W1", DType.Float64).To(Device.Cuda);
        var movedStep = TrainingStep.Capture(moved, new CrossEntropyLoss(), new Adam(moved.Parameters(), 0.01));
        cpuStep.Captures = movedStep.Captures = captures;
        for (int i = 0; i < batches.Length; i++)
        {
            if (i == 2) moved.To(Device.Cpu);
            var (x, y) = batches[i];
            Assert.Equal(cpuStep.Run(x, y).Loss, movedStep.Run(x, y).Loss, 1e-12);
        }

        foreach (var ((name, expected), (_, actual)) in cpu.NamedParameters().Zip(moved.NamedParameters()))
        {
            Assert.Equal(Device.Cpu, actual.Device);
            Storage.AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), DType.Float64, $"{name} after 2 steps on the GPU and 2 on the CPU");
        }
    }
}
