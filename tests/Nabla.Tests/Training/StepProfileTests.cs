using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>A step's profile: the replayed passes time their kernels under their names; steps without a profile, and
/// eager steps, time nothing.</summary>
public sealed class StepProfileTests
{
    [Fact]
    public void Replayed_steps_time_every_kernel_of_the_pass_under_its_name()
    {
        var (model, _) = Architecture.Build("conv4k3p1-bn-relu-pool2-flatten-fc8-relu-fc3", [1, 6, 6], new Random(1));
        var step = TrainingStep.Capture(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1));
        var random = new Random(2);
        var x = Tensor.Normal([8, 36], 0, 1, random);
        int[] labels = [.. Enumerable.Range(0, 8).Select(i => i % 3)];
        step.Run(x, labels);   // the capture (an eager step): not timed
        step.Run(x, labels);   // a replay without a profile

        var profile = new StepProfile();
        step.Profile = profile;
        for (int i = 0; i < 3; i++) step.Run(x, labels);
        step.Profile = null;
        step.Run(x, labels);

        Assert.Equal(3, profile.Passes);
        var kernels = profile.PerPass();
        var names = step.CapturedKernels(new Shape(8, 36), DType.Float32);
        Assert.Equal(names.Count, kernels.Sum(k => k.Launches), precision: 9);
        Assert.Equal(names.Distinct().Order(), kernels.Select(k => k.Name).Order());
        Assert.Contains(kernels, k => k.Name == "BatchNormFunction.Apply with Tensor.RawUnary<ReluOperator> in its epilogue" && k.Launches == 1);
        Assert.All(kernels, k => Assert.True(k.Milliseconds >= 0));
        Assert.True(kernels.Sum(k => k.Milliseconds) > 0);
        Assert.Equal(kernels.Select(k => k.Milliseconds).OrderDescending(), kernels.Select(k => k.Milliseconds));
    }
}
