using Nabla.Autograd;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Captured inference: a forward pass recorded once per batch shape, replayed without allocation, equal bit for
/// bit to an eager forward pass.</summary>
public sealed class InferenceStepTests
{
    private const string Cnn = "conv4k3p1-bn-relu-pool2-dropout0.25-flatten-fc8-bn-relu-dropout0.5-fc4";

    private static Tensor[] Batches(DType dtype, params int[] sizes)
    {
        var random = new Random(11);
        return [.. sizes.Select(rows => Tensor.Normal([rows, 1, 6, 6], 0, 1, random, dtype))];
    }

    private static double[] Eager(Module model, Tensor x)
    {
        using var _ = GradMode.NoGrad();
        return model.Forward(x).ToDoubleArray();
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void A_captured_forward_pass_in_evaluation_gives_the_eager_outputs_bit_for_bit(DType dtype)
    {
        var model = Architecture.Build(Cnn, [1, 6, 6], new Random(3), flatInput: false, dtype: dtype).Model;
        model.Eval();
        var step = InferenceStep.Capture(model);
        foreach (var x in Batches(dtype, 8, 8, 3, 8, 3, 8))
            Assert.Equal(Eager(model, x), step.Run(x).ToDoubleArray());

        Assert.Null(step.NotCapturedReason);
        Assert.Equal(2, step.CapturesMade);   // the batches of 8, and of 3
        Assert.Equal(4, step.ReplayedSteps);
    }

    [Fact]
    public void A_replayed_forward_pass_allocates_nothing()
    {
        var model = Architecture.Build(Cnn, [1, 6, 6], new Random(3), flatInput: false).Model;
        model.Eval();
        var step = InferenceStep.Capture(model);
        var batches = Batches(DType.Float32, [.. Enumerable.Repeat(16, 40)]);

        // The capture, then replays until the runtime's first-call work (dispatch caches, tiering) is done.
        for (int i = 0; i < 20; i++) step.Run(batches[i]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 20; i < batches.Length; i++) step.Run(batches[i]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated == 0, $"20 replayed forward passes allocated {allocated} bytes");
        Assert.Equal(39, step.ReplayedSteps);
    }

    [Fact]
    public void A_mode_change_between_batches_captures_again()
    {
        var model = Architecture.Build("fc8-bn-relu-fc4", [12], new Random(2)).Model;
        var step = InferenceStep.Capture(model);
        var x = Tensor.Normal([6, 12], 0, 1, new Random(4));
        step.Run(x);   // training mode: batch statistics, and the running ones move
        model.Eval();
        Assert.Equal(Eager(model, x), step.Run(x).ToDoubleArray());
        Assert.Equal(Eager(model, x), step.Run(x).ToDoubleArray());
        Assert.Equal(2, step.CapturesMade);
        Assert.Equal(1, step.ReplayedSteps);
    }
}
