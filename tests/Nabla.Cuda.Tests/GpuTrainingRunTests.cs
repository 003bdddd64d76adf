using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cuda.Tests;

/// <summary>A whole training run of a model on the GPU, as <c>nabla train --device cuda</c> makes it: epochs of
/// captured steps, evaluation on the watched set, checkpoints written (weights and the optimiser's device state, read
/// back to the host) and resumed onto the device. On ILGPU's CPU accelerator it ends as on the CPU.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuTrainingRunTests(CpuAcceleratorFixture fixture)
{
    private static Dataset Toy(int rows, int seed)
    {
        var random = new Random(seed);
        var x = Tensor.Uniform([rows, 12], 0, 1, random, DType.Float64);
        return new Dataset(x, [.. Enumerable.Range(0, rows).Select(i => i % 3)], 3, name: "toy");
    }

    private static Module Model() => Architecture.Build("fc10-relu-fc3", [12], new Random(4), dtype: DType.Float64).Model;

    private static TrainingRunResult Train(Module model, string folder, int epochs, Checkpoint? resumeFrom = null, bool dataOnDevice = false)
    {
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01), [new L2Regularizer(1e-3)]);
        var run = new TrainingRun(trainer, new TrainingRunOptions(new TrainingOptions(epochs, 8, 3)) { CheckpointDirectory = folder, RunId = "gputest" });
        var (train, test) = (Toy(40, 1), Toy(20, 2));
        if (dataOnDevice) (train, test) = (train.To(Device.Cuda), test.To(Device.Cuda));   // batches gathered on the GPU
        return run.Run(train, test, resumeFrom: resumeFrom);
    }

    [Fact]
    public void A_run_on_the_GPU_ends_as_on_the_CPU_and_resumes_from_its_checkpoint()
    {
        var root = Directory.CreateTempSubdirectory("nabla-gpu-run-").FullName;
        try
        {
            var cpu = Model();
            var expected = Train(cpu, Path.Combine(root, "cpu"), 2);
            var gpu = Model().To(Device.Cuda);
            var actual = Train(gpu, Path.Combine(root, "gpu"), 2);
            for (int e = 0; e < 2; e++)
            {
                var (want, got) = (expected.History!.Epochs[e], actual.History!.Epochs[e]);
                Assert.Equal(want.TrainAccuracy, got.TrainAccuracy);
                Assert.Equal(want.ValidationAccuracy, got.ValidationAccuracy);
                Assert.Equal(want.Loss, got.Loss, 1e-12);
                Assert.Equal(want.ValidationLoss!.Value, got.ValidationLoss!.Value, 1e-12);
            }

            AssertSameWeights(cpu, gpu, "after 2 epochs");

            // The checkpoint holds the device's weights and Adam's moments, read back: the CPU run's, to 1e-12.
            var cpuCheckpoint = CheckpointStore.LoadLatest(Path.Combine(root, "cpu"))!;
            var gpuCheckpoint = CheckpointStore.LoadLatest(Path.Combine(root, "gpu"))!;
            Assert.Equal(cpuCheckpoint.Step, gpuCheckpoint.Step);
            Assert.Equal(cpuCheckpoint.OptimizerState.Keys.Order(), gpuCheckpoint.OptimizerState.Keys.Order());
            Assert.NotEmpty(gpuCheckpoint.OptimizerState);
            foreach (var (name, state) in cpuCheckpoint.OptimizerState)
                Storage.AssertClose(state.ToDoubleArray(), gpuCheckpoint.OptimizerState[name].ToDoubleArray(), DType.Float64, $"optimiser state {name}");

            // One epoch, then a fresh model on the GPU resumed from its checkpoint: the two-epoch run's weights.
            var first = Model().To(Device.Cuda);
            Train(first, Path.Combine(root, "halves"), 1);
            var resumed = Model().To(Device.Cuda);
            Train(resumed, Path.Combine(root, "halves"), 2, CheckpointStore.LoadLatest(Path.Combine(root, "halves")));
            AssertSameWeights(cpu, resumed, "resumed on the GPU after 1 epoch");

            // The data on the GPU too: the same run.
            var withData = Model().To(Device.Cuda);
            var onDevice = Train(withData, Path.Combine(root, "data"), 2, dataOnDevice: true);
            Assert.Equal(expected.History!.Last.ValidationAccuracy, onDevice.History!.Last.ValidationAccuracy);
            AssertSameWeights(cpu, withData, "trained on data on the GPU");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private void AssertSameWeights(Module cpu, Module gpu, string when)
    {
        foreach (var ((name, e), (_, a)) in cpu.NamedParameters().Zip(gpu.NamedParameters()))
        {
            Assert.Equal(fixture.Backend.Device, a.Device);
            Storage.AssertClose(e.ToDoubleArray(), a.ToDoubleArray(), DType.Float64, $"{name} {when}");
        }
    }
}
