using Nabla.Backends;
using Nabla.Engine;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>A captured step's intermediates share memory by their lives (<see cref="BufferPlan"/>). Run under the
/// checking backend, which poisons every buffer handed to a new owner and catches any read of one that is unwritten
/// or recycled, captured training of the four workload shapes gives the eager weights bit for bit; a deliberately
/// broken liveness rule is caught.</summary>
public sealed class BufferPlanTests
{
    /// <summary>The workloads' shapes on 6×6 images given as 36-value rows: W1 an MLP, W4 a CNN, W5 a CNN with batch
    /// norm and dropout, W6 a residual module.</summary>
    private static Module Build(string workload, DType dtype) => workload switch
    {
        "W1" => Architecture.Build("fc16-relu-fc12-relu-fc4", [36], new Random(1), dtype: dtype).Model,
        "W4" => Architecture.Build("conv4k3p1-relu-pool2-conv6k3p1-relu-pool2-flatten-fc8-relu-fc4", [1, 6, 6], new Random(1), dtype: dtype).Model,
        "W5" => Architecture.Build("conv4k3p1-bn-relu-conv4k3p1-bn-relu-pool2-dropout0.25-flatten-fc8-bn-relu-dropout0.5-fc4", [1, 6, 6], new Random(1), dtype: dtype).Model,
        _ => new SmallResidualMlp(36, 4, dtype),
    };

    private static (Tensor Features, int[] Labels)[] Batches(DType dtype)
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, 20).Select(i =>
        {
            int rows = i % 4 == 3 ? 5 : 8;   // a second shape, as the last partial batch of an epoch
            return (Tensor.Normal([rows, 36], 0, 1, random, dtype), Enumerable.Range(0, rows).Select(_ => random.Next(4)).ToArray());
        })];
    }

    [Theory]
    [InlineData("W1", DType.Float32)]
    [InlineData("W1", DType.Float64)]
    [InlineData("W4", DType.Float32)]
    [InlineData("W4", DType.Float64)]
    [InlineData("W5", DType.Float32)]
    [InlineData("W5", DType.Float64)]
    [InlineData("W6", DType.Float32)]
    [InlineData("W6", DType.Float64)]
    public void Twenty_planned_steps_under_the_checking_backend_give_the_eager_weights(string workload, DType dtype)
    {
        var batches = Batches(dtype);
        var eagerModel = Build(workload, dtype);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new AdamW(eagerModel.Parameters(), 0.01));
        eager.Captures = false;
        foreach (var (x, y) in batches) eager.Run(x, y);

        var capturedModel = Build(workload, dtype);
        var captured = TrainingStep.Capture(capturedModel, new CrossEntropyLoss(), new AdamW(capturedModel.Parameters(), 0.01));
        var checking = new CheckingBackend();
        using (Backend.Use(checking))
        {
            foreach (var (x, y) in batches) captured.Run(x, y);
        }

        Assert.Null(captured.NotCapturedReason);
        Assert.Equal(18, captured.ReplayedSteps);
        // An MLP or a plain CNN keeps every activation for its backward pass and no two intermediates have one size;
        // batch norm, dropout and the residual blocks' elementwise chains leave memory to share.
        if (workload is "W5" or "W6") Assert.True(captured.PlannedElementsSaved > 0, $"{workload}: the plan shared no memory");
        // The fusion pass ran before the plan: ReLU epilogues (W1, W4), mask prologues (W4), a ReLU-dropout chain (W5).
        if (workload is not "W6") Assert.True(captured.KernelsFused > 0, $"{workload}: nothing was fused");
        Assert.True(checking.Poisonings > 0, $"{workload}: nothing was poisoned");
        foreach (var ((name, want), (_, got)) in eagerModel.NamedState().Zip(capturedModel.NamedState()))
            Assert.True(want.ToDoubleArray().SequenceEqual(got.ToDoubleArray()), $"{workload} {dtype}: {name} differs");
    }

    [Fact]
    public void Pooled_eager_steps_run_clean_under_the_checking_backend()
    {
        var batches = Batches(DType.Float32);
        var model = Build("W5", DType.Float32);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new AdamW(model.Parameters(), 0.01));
        step.Captures = false;
        var checking = new CheckingBackend();
        using (Backend.Use(checking))
        {
            foreach (var (x, y) in batches) step.Run(x, y);   // every pooled array is poisoned as it is lent again
        }

        Assert.Equal(20, step.EagerSteps);
        Assert.True(checking.Poisonings > 0);
    }

    [Theory]
    [InlineData("W1")]
    [InlineData("W5")]
    [InlineData("W6")]
    public void A_liveness_rule_that_frees_memory_one_kernel_early_is_caught_by_the_checking_backend(string workload)
    {
        var batches = Batches(DType.Float32);
        var model = Build(workload, DType.Float32);
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new AdamW(model.Parameters(), 0.01));
        using var scope = Backend.Use(new CheckingBackend());
        BufferPlan.ReleaseOneKernelEarly = true;
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
            {
                foreach (var (x, y) in batches) step.Run(x, y);
            });
            Assert.Contains("after its memory was recycled", e.Message, StringComparison.Ordinal);
            Assert.Contains("checking backend", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            BufferPlan.ReleaseOneKernelEarly = false;
        }
    }
}
