using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>L = (1/B) Σᵢ (log Σⱼ exp(zᵢⱼ) − zᵢ,yᵢ) from logits z (B, C) and labels y: the softmax loss, fused.</summary>
/// <remarks>The forward pass already computes ∂L/∂z = (softmax(z) − onehot(y)) / B (see
/// <see cref="SoftmaxCrossEntropyKernel"/>) and keeps it; backward only scales it by the upstream gradient.</remarks>
internal sealed class SoftmaxCrossEntropyFunction(Tensor logits, Tensor gradient) : Function(logits)
{
    public override string Name => "SoftmaxCrossEntropy";

    /// <summary>The mean loss (a scalar tensor); labels must already be validated to lie in [0, C).</summary>
    /// <remarks>The labels are read when the kernel runs: a captured step that owns <paramref name="labels"/> replays
    /// with whatever labels it has copied there.</remarks>
    public static Tensor Apply(Tensor logits, int[] labels)
    {
        int rows = logits.Shape[0], classes = logits.Shape[1];
        var gradient = Tensor.Uninitialized(logits.Shape, logits.DType);
        var loss = Tensor.Uninitialized(Shape.Scalar, logits.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([logits], [gradient, loss], () => ops.SoftmaxCrossEntropyMean(logits.Storage, labels, rows, classes, gradient.Storage, loss.Storage));
        return Needed(logits) ? Record(loss, new SoftmaxCrossEntropyFunction(logits, gradient)) : loss;
    }

    // ∂L/∂z = g · (softmax(z) − onehot(y)) / B, with g the upstream scalar gradient.
    public override Tensor?[] Backward(Tensor g) => [Tensor.RawBinary<MultiplyOperator>(gradient, g, "multiply")];
}
