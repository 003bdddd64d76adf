using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>The multiclass SVM (hinge) loss: L(f(x), y) = Σ_{j≠y} max(0, f_j − f_y + Δ), with margin Δ = 1, averaged over the batch.</summary>
public sealed class MultiClassHingeLoss(double margin = 1.0) : Loss
{
    /// <summary>Δ.</summary>
    public double Margin { get; } = double.IsFinite(margin) ? margin : throw new ArgumentOutOfRangeException(nameof(margin), string.Create(CultureInfo.InvariantCulture, $"the margin must be finite, not {margin}"));

    /// <inheritdoc/>
    public override string Name => "hinge";

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels)
    {
        var oneHot = LabelTargets.OneHot(labels, logits.Shape[1], logits.DType);
        var correct = LabelTargets.PickLabelled(logits, oneHot, keepDims: true);   // (B, 1): f_y
        var margins = (logits - correct + Margin).Maximum(0);             // (B, C); the j = y entry is exactly Δ
        return (margins.Sum(1) - Margin).Mean();                          // drop the j = y term, average over B
    }
}
