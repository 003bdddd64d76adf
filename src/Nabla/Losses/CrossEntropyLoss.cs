using System.Globalization;
using Nabla.Autograd.Functions;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>The softmax loss: L(f(x), y) = −log(e^{f_y} / Σⱼ e^{f_j}) = log Σⱼ e^{f_j} − f_y, from logits f; optionally
/// with label smoothing and class weights.</summary>
/// <remarks>
/// <para>Computed through log-sum-exp with the maximum subtracted, so logits of any size give a finite loss. Its
/// gradient with respect to the logits is softmax(f) − e_y, per row, divided by B; both come from one fused pass over
/// the logits (<see cref="SoftmaxCrossEntropyFunction"/>).</para>
/// <para>Label smoothing ε trains towards (1 − ε)·e_y + ε/C instead of e_y: Lᵢ = (1 − ε)·(−log p_y) + ε·(−(1/C) Σⱼ log pⱼ),
/// which keeps the network from driving logits apart without bound. Class weights w scale each example by the weight
/// of its true class and normalise by their sum, L = Σᵢ w_yᵢ·Lᵢ / Σᵢ w_yᵢ (PyTorch's convention): rare classes can count
/// as much as common ones.</para>
/// </remarks>
public sealed class CrossEntropyLoss : Loss
{
    private readonly double[]? _classWeights;

    // The weights as tensors of each dtype, made here: a tensor made from host values inside a step could not be
    // captured.
    private readonly Tensor? _weights32, _weights64;

    /// <summary>The softmax loss with label smoothing ε ∈ [0, 1) and optional weights, one per class (positive).</summary>
    public CrossEntropyLoss(double labelSmoothing = 0, IReadOnlyList<double>? classWeights = null)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), string.Create(CultureInfo.InvariantCulture, $"label smoothing must be in [0, 1), not {labelSmoothing}"));
        if (classWeights is not null && classWeights.Any(w => !(w > 0) || !double.IsFinite(w)))
            throw new ArgumentException("class weights must be finite and > 0", nameof(classWeights));
        LabelSmoothing = labelSmoothing;
        _classWeights = classWeights?.ToArray();
        if (_classWeights is not null)
            (_weights32, _weights64) = (Tensor.FromArray(_classWeights).To(DType.Float32), Tensor.FromArray(_classWeights));
    }

    /// <summary>ε.</summary>
    public double LabelSmoothing { get; }

    /// <summary>w, one per class, or null for equal weights.</summary>
    public IReadOnlyList<double>? ClassWeights => _classWeights;

    /// <summary>Whether this is the plain softmax loss (no smoothing, no weights): the form computed by one fused softmax cross-entropy kernel, eagerly and in a captured step.</summary>
    public bool IsPlain => LabelSmoothing == 0 && _classWeights is null;

    /// <inheritdoc/>
    public override string Name => "cross-entropy";

    /// <inheritdoc/>
    internal override bool HasCapturedForm => true;

    /// <inheritdoc/>
    internal override Tensor ComputeCaptured(Tensor logits, int[] labels)
    {
        if (IsPlain) return SoftmaxCrossEntropyFunction.Apply(logits, labels);   // one fused pass: loss and ∂L/∂logits
        int classes = logits.Shape[1];
        if (_classWeights is not null && _classWeights.Length != classes)
            throw new ArgumentException($"cross-entropy loss: {_classWeights.Length} class weights for {classes} classes (logits {logits.Shape})");
        var logProbabilities = logits.LogSoftmax(-1);                                   // (B, C)
        var oneHot = LabelTargets.OneHot(labels, classes, logits.DType);                // (B, C)
        var perExample = -LabelTargets.PickLabelled(logProbabilities, oneHot);          // (B): −log p_y
        if (LabelSmoothing > 0)
            perExample = (perExample * (1 - LabelSmoothing)) - (logProbabilities.Mean(1) * LabelSmoothing);
        if (_classWeights is null) return perExample.Mean();
        var weights = LabelTargets.PickLabelled(logits.DType == DType.Float32 ? _weights32! : _weights64!, oneHot);   // (B): w_y
        return (perExample * weights).Sum() / weights.Sum();
    }

    /// <inheritdoc/>
    protected override Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels) => ComputeCaptured(logits, LabelTargets.Copy(labels));
}
