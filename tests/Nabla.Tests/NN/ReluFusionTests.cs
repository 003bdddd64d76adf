using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.NN;

/// <summary>A ReLU after a Linear or Conv2d is fused into that layer's kernels by a capture's fusion pass (its epilogue
/// forward, the convolution's gradient read backward), in a Sequential or in a module of one's own: captured steps give
/// the eager weights bit for bit, also where two branches share one gradient (the ReLU backward may then not mask it in
/// place, or the other branch would see the mask).</summary>
public sealed class ReluFusionTests
{
    private static Sequential Layers(bool convolution, DType dtype, int seed)
    {
        var random = new Random(seed);
        return convolution
            // The pooling hands the convolution a gradient of its own (masked in the kernel's threads), the flattening
            // a view of another.
            ? new Sequential(new Conv2d(2, 3, 3, random, padding: 1, dtype: dtype), new Relu(), new MaxPool2d(2), new Conv2d(3, 2, 1, random, dtype: dtype), new Relu(),
                new Flatten(), new Linear(2 * 2 * 2, 4, random, dtype: dtype), new Relu())
            : new Sequential(new Linear(6, 5, random, dtype: dtype), new Relu(), new Linear(5, 4, random, dtype: dtype), new Relu());
    }

    /// <summary>Two stacks over one input, added: the addition hands one gradient tensor to both.</summary>
    private sealed class TwoBranches : Module
    {
        private readonly Sequential _left;
        private readonly Sequential _right;

        public TwoBranches(bool convolution, DType dtype)
        {
            _left = RegisterModule("left", Layers(convolution, dtype, 6));
            _right = RegisterModule("right", Layers(convolution, dtype, 10));   // seeds whose masks differ both ways
        }

        public override Tensor Forward(Tensor input) => _left.Forward(input) + _right.Forward(input);
    }

    private static Module Build(bool convolution, bool branches, DType dtype) =>
        branches ? new TwoBranches(convolution, dtype) : Layers(convolution, dtype, 4);

    [Theory]
    [InlineData(false, false, DType.Float32)]
    [InlineData(false, false, DType.Float64)]
    [InlineData(true, false, DType.Float32)]
    [InlineData(true, false, DType.Float64)]
    [InlineData(false, true, DType.Float64)]
    [InlineData(true, true, DType.Float32)]
    public void Captured_steps_with_fused_relus_give_the_eager_weights_bit_for_bit(bool convolution, bool branches, DType dtype)
    {
        var random = new Random(2);
        var batches = Enumerable.Range(0, 8).Select(_ =>
            (Tensor.Normal(convolution ? [3, 2, 5, 5] : [3, 6], 0, 1, random, dtype), new[] { random.Next(4), random.Next(4), random.Next(4) })).ToArray();
        var eagerModel = Build(convolution, branches, dtype);
        var eager = TrainingStep.Capture(eagerModel, new CrossEntropyLoss(), new Adam(eagerModel.Parameters(), 0.05));
        eager.Captures = false;
        var model = Build(convolution, branches, dtype);
        var captured = TrainingStep.Capture(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.05));

        foreach (var (x, labels) in batches) Assert.Equal(eager.Run(x, labels).Loss, captured.Run(x, labels).Loss);

        Assert.Equal(7, captured.ReplayedSteps);
        Assert.True(captured.KernelsFused >= (branches ? 4 : 2), $"{captured.KernelsFused} kernels fused");
        foreach (var ((name, want), (_, got)) in eagerModel.NamedState().Zip(model.NamedState()))
            Assert.True(want.ToDoubleArray().SequenceEqual(got.ToDoubleArray()), $"{name} differs");
    }
}
