using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>Squared error between the network's output probabilities and the one-hot label:
/// L(f(x), y) = ‖softmax(f) − e_y‖² = Σⱼ (pⱼ − [j = y])², averaged over the batch.</summary>
public sealed class MeanSquaredErrorLoss : Loss
{
    /// <inheritdoc/>
    public override string Name => "mse";

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels)
    {
        var probabilities = logits.Softmax(-1);                                          // (B, C)
        var target = LabelTargets.OneHot(labels, logits.Shape[1], logits.DType);         // (B, C)
        return (probabilities - target).Square().Sum(1).Mean();
    }

    /// <summary>The mean of (prediction − target)² over all elements, for regression; shapes must match.</summary>
    public static Tensor MeanSquaredError(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape)
            throw new ArgumentException($"mse: prediction shape {prediction.Shape} differs from target shape {target.Shape}");
        return (prediction - target).Square().Mean();
    }

    /// <summary>Rows e_{y_i}: 1 at each row's label, 0 elsewhere.</summary>
    public static Tensor OneHot(ReadOnlySpan<int> labels, int classes, DType dtype = DType.Float32) => LabelTargets.OneHot(labels.ToArray(), classes, dtype);
}
