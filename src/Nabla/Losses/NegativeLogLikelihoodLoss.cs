using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Negative log-likelihood of log-probabilities: L = −(1/B) Σᵢ log pᵢ,ᵧᵢ. The network must end in a
/// log-softmax; cross-entropy on logits is the same loss with the log-softmax built in.</summary>
public sealed class NegativeLogLikelihoodLoss : Loss
{
    /// <inheritdoc/>
    public override string Name => "nll";

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels) =>
        -LabelTargets.PickLabelled(logits, LabelTargets.OneHot(labels, logits.Shape[1], logits.DType)).Mean();
}
