using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>The estimate is compared with the process's live memory, so nothing else may allocate meanwhile.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class MemoryEstimateTests
{
    [Fact]
    public void An_mlp_estimate_counts_weights_gradients_optimiser_state_and_activations()
    {
        var spec = new MlpSpec(10, [20], 3);
        var e = MemoryEstimate.ForMlp(spec, batchSize: 4, optimizerBuffers: 2, datasetBytes: 1000);
        long p = (10 * 20) + 20 + (20 * 3) + 3;
        Assert.Equal(4 * p, e.Parameters);
        Assert.Equal(4 * p, e.Gradients);
        Assert.Equal(2 * 4 * p, e.OptimizerState);
        Assert.Equal(2 * 4 * 4 * (10 + (2 * 20) + (2 * 3)), e.Activations);   // fwd + bwd × B × Σ outputs × 4 bytes
        Assert.Equal(MemoryEstimate.FixedWorkspaceBytes + (4 * 4 * 20), e.Workspace);
        Assert.Equal(1000, e.Dataset);
        Assert.Equal(e.Parameters + e.Gradients + e.OptimizerState + e.Activations + e.Workspace + e.Dataset, e.Total);
    }

    [Fact]
    public void A_huge_network_saturates_instead_of_overflowing()
    {
        var e = MemoryEstimate.For(long.MaxValue / 2, long.MaxValue / 2, long.MaxValue / 2, 1 << 20, 2, 0);
        Assert.Equal(long.MaxValue, e.Total);
        Assert.Throws<InvalidOperationException>(() => e.ThrowIfExceeds(new AvailableMemory(1L << 40, "test")));
    }

    [Fact]
    public void The_estimate_of_an_mlp_is_within_a_factor_of_two_of_the_memory_a_trained_step_keeps()
    {
        // 784 → 1024 → 512 → 10, batch 256, SGD with momentum: about 15 MiB of weights, gradients and momentum and
        // 8 MiB of activations, so the fixed workspace allowance is left out of the comparison.
        var spec = new MlpSpec(784, [1024, 512], 10);
        const int batchSize = 256;
        var random = new Random(1);
        var features = Tensor.FromArray([.. Enumerable.Range(0, batchSize * 784).Select(_ => (float)random.NextDouble())], [batchSize, 784]);
        var batch = new Batch(features, [.. Enumerable.Range(0, batchSize).Select(i => i % 10)]);
        var estimate = MemoryEstimate.ForMlp(spec, batchSize, MemoryEstimate.OptimizerBuffers("sgd", 0.9), datasetBytes: 0);

        // Live memory, after full collections: the weights, gradients, momentum and the buffers the step keeps.
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var model = new Mlp(spec, seed: 0);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01, momentum: 0.9));
        trainer.Step(batch);
        trainer.Step(batch);
        long measured = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(trainer);

        long estimated = estimate.Total - MemoryEstimate.FixedWorkspaceBytes;
        Assert.InRange(measured, estimated / 2, estimated * 2);
    }

    [Fact]
    public void A_described_network_is_estimated_from_its_layers_output_sizes()
    {
        var (model, _) = Architecture.Build("conv4k3p1-relu-flatten-fc10", [1, 8, 8], new Random(0));
        var e = MemoryEstimate.ForModel(model, 64, batchSize: 2, optimizerBuffers: 0, datasetBytes: 0);
        long p = (4 * 9) + 4 + (256 * 10) + 10;
        Assert.Equal(4 * p, e.Parameters);
        Assert.Equal(0, e.OptimizerState);

        // Per example: the input (64), the unflattened input (64), conv (256), relu (256), flatten (256), fc (10).
        Assert.Equal(2 * 2 * 4 * (64 + 64 + 256 + 256 + 256 + 10), e.Activations);
    }

    [Fact]
    public void Estimating_a_described_network_leaves_its_state_and_modes_as_they_were()
    {
        // The estimate runs one example through the network: batch norm's running estimates and dropout's draws must
        // not move, or a run with the estimate would train differently from one without it.
        var (model, _) = Architecture.Build("fc8-bn-relu-dropout0.5-fc3", [4], new Random(0));
        model.NamedChildren().First().Value.Eval();   // a layer the user froze stays frozen
        var before = model.StateDict();
        var modes = model.CaptureModes().Select(m => m.Training).ToList();
        long draws = model.NamedChildren().Select(c => c.Value).OfType<Nabla.NN.Layers.Dropout>().Single().Draws;

        MemoryEstimate.ForModel(model, 4, batchSize: 8, optimizerBuffers: 1, datasetBytes: 0);

        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name].ToDoubleArray(), value.ToDoubleArray());
        Assert.Equal(modes, model.CaptureModes().Select(m => m.Training).ToList());
        Assert.Equal(draws, model.NamedChildren().Select(c => c.Value).OfType<Nabla.NN.Layers.Dropout>().Single().Draws);
    }

    [Fact]
    public void A_run_that_does_not_fit_is_refused_in_one_line_giving_the_estimate_and_the_memory_available()
    {
        var e = MemoryEstimate.ForMlp(new MlpSpec(64, [46000, 46000], 10), 16, 1, 0);
        var error = Assert.Throws<InvalidOperationException>(() => e.ThrowIfExceeds(new AvailableMemory(4L << 30, "a test's limit")));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("23.7 GiB", error.Message, StringComparison.Ordinal);
        Assert.Contains("4.0 GiB (a test's limit)", error.Message, StringComparison.Ordinal);
        e.ThrowIfExceeds(new AvailableMemory(e.Total, "exactly enough"));
    }

    [Fact]
    public void Available_memory_names_its_source_and_is_positive()
    {
        var available = AvailableMemory.Query();
        Assert.True(available.Bytes > 0);
        Assert.True(available.Source.Contains("MemAvailable", StringComparison.Ordinal) || available.Source.Contains("GC", StringComparison.Ordinal), available.Source);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(25L * 1024 * 1024 * 1024, "25.0 GiB")]
    public void Sizes_are_printed_in_binary_units_with_the_invariant_culture(long bytes, string expected) =>
        Assert.Equal(expected, AvailableMemory.Format(bytes));
}

/// <summary>Tests that measure the process's memory run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Measures the process's memory";
}
