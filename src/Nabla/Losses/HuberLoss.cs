using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>The Huber loss between the output probabilities softmax(f) and the one-hot label (like
/// <see cref="MeanSquaredErrorLoss"/>), summed over classes and averaged over the batch: quadratic for small errors,
/// linear for large ones, so an outlier's gradient is bounded by δ.</summary>
/// <remarks>
/// For error d = pⱼ − [j = y]: h(d) = ½d² if |d| ≤ δ, else δ(|d| − ½δ), written without a branch as
/// <code>q = min(|d|, δ),   h = ½q² + δ(|d| − q)</code>
/// ∂h/∂d = d where |d| ≤ δ, δ·sign(d) beyond. <see cref="Between"/> gives the plain regression form.
/// </remarks>
public sealed class HuberLoss(double delta = 1) : Loss
{
    /// <summary>δ.</summary>
    public double Delta { get; } = delta > 0 && double.IsFinite(delta) ? delta : throw new ArgumentOutOfRangeException(nameof(delta), string.Create(CultureInfo.InvariantCulture, $"delta must be finite and > 0, not {delta}"));

    /// <inheritdoc/>
    public override string Name => "huber";

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels)
    {
        var error = logits.Softmax(-1) - LabelTargets.OneHot(labels, logits.Shape[1], logits.DType);
        return Elementwise(error, Delta).Sum(1).Mean();
    }

    /// <summary>The mean Huber loss of prediction − target over all elements, for regression; shapes must match.</summary>
    public static Tensor Between(Tensor prediction, Tensor target, double delta = 1)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape) throw new ArgumentException($"huber: prediction {prediction.Shape} and target {target.Shape} differ in shape");
        return Elementwise(prediction - target, delta).Mean();
    }

    private static Tensor Elementwise(Tensor error, double delta)
    {
        var magnitude = error.Abs();
        var q = magnitude.Minimum(delta);
        return (q.Square() * 0.5) + ((magnitude - q) * delta);
    }
}
