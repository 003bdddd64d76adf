using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Binary cross-entropy on logits: with one output per example, labels 0 or 1; with C outputs, one binary
/// problem per class ("is it class c?", targets one-hot). Averaged over all outputs.</summary>
/// <remarks>
/// For logit z and target t ∈ {0, 1}: L = −t·log σ(z) − (1 − t)·log(1 − σ(z)), computed as
/// <code>L = max(z, 0) − z·t + log(1 + e^(−|z|))</code>
/// which never takes the log of 0 nor exponentiates a large positive number. ∂L/∂z = σ(z) − t.
/// </remarks>
public sealed class BinaryCrossEntropyWithLogitsLoss : Loss
{
    /// <inheritdoc/>
    public override string Name => "bce";

    /// <inheritdoc/>
    protected override int LabelCount(int outputs) => outputs == 1 ? 2 : outputs;

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels)
    {
        var target = logits.Shape[1] == 1
            ? LabelTargets.Values(labels, logits.DType)                               // (B, 1): the 0/1 label
            : LabelTargets.OneHot(labels, logits.Shape[1], logits.DType);             // (B, C)
        return WithTargets(logits, target);
    }

    /// <summary>The loss for any targets t ∈ [0, 1] of the logits' shape (soft labels, several labels per example).</summary>
    public static Tensor WithTargets(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Shape != targets.Shape) throw new ArgumentException($"bce: logits {logits.Shape} and targets {targets.Shape} differ in shape");
        var positivePart = logits.Maximum(0.0);
        var softPart = ((-logits.Abs()).Exp() + 1.0).Log();
        return (positivePart - (logits * targets) + softPart).Mean();
    }
}
