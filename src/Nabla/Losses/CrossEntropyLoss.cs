using Nabla.Autograd.Functions;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>The softmax loss: L(f(x), y) = −log(e^{f_y} / Σⱼ e^{f_j}) = log Σⱼ e^{f_j} − f_y, from logits f.</summary>
/// <remarks>Computed through log-sum-exp with the maximum subtracted, so logits of any size give a finite loss.
/// Its gradient with respect to the logits is softmax(f) − e_y, per row, divided by B; both come from one fused pass
/// over the logits (<see cref="SoftmaxCrossEntropyFunction"/>).</remarks>
public sealed class CrossEntropyLoss : Loss
{
    /// <inheritdoc/>
    public override string Name => "cross-entropy";

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) =>
        SoftmaxCrossEntropyFunction.Apply(logits, labels);   // one fused pass: loss and ∂L/∂logits
}
