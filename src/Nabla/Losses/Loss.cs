using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>A classification loss L(f(x), y) averaged over a mini-batch: (1/B) Σᵢ L(f(x⁽ⁱ⁾), y⁽ⁱ⁾).</summary>
/// <remarks>Every loss takes the network's logits (B, C) and integer labels in [0, C), and returns a scalar tensor
/// that can be backpropagated.</remarks>
public abstract class Loss
{
    /// <summary>The name used on the command line and in model files.</summary>
    public abstract string Name { get; }

    /// <summary>The mean loss over the batch.</summary>
    /// <exception cref="ArgumentException">Logits are not (B, C), or the label count is not B, or a label is outside [0, C).</exception>
    public Tensor Compute(Tensor logits, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckLabels(logits.Shape, labels);
        return ComputeChecked(logits, labels);
    }

    /// <summary>Checks that logits are (B, C) and that there are B labels, each in [0, C).</summary>
    internal void CheckLabels(Shape logitsShape, ReadOnlySpan<int> labels)
    {
        if (logitsShape.Rank != 2) throw new ArgumentException($"{Name} loss: logits must be (B, C), got shape {logitsShape}");
        if (labels.Length != logitsShape[0])
            throw new ArgumentException($"{Name} loss: {labels.Length} labels for logits of shape {logitsShape}");
        int classes = LabelCount(logitsShape[1]);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"{Name} loss: label {labels[i]} at row {i} is outside [0, {classes}) for logits of shape {logitsShape}");
        }
    }

    /// <summary>How many label values C outputs stand for (C itself, but 2 for a single binary output).</summary>
    protected virtual int LabelCount(int outputs) => outputs;

    /// <summary>The loss for validated inputs in a form a captured step can replay: the labels are read from
    /// <paramref name="labels"/> when its kernels run, so that the step can copy each batch's labels there. Every
    /// built-in loss has one (and computes its eager steps with it too); null for a loss written outside the library,
    /// whose steps then run eagerly.</summary>
    internal virtual Tensor? ComputeCaptured(Tensor logits, int[] labels) => null;

    /// <summary>Whether <see cref="ComputeCaptured"/> gives a replayable form.</summary>
    internal virtual bool HasCapturedForm => false;

    /// <summary>The loss for validated inputs.</summary>
    protected abstract Tensor ComputeChecked(Tensor logits, ReadOnlySpan<int> labels);

    /// <summary>cross-entropy (alias softmax), mse, hinge (alias svm), bce (binary cross-entropy with logits) or huber.</summary>
    public static Loss Parse(string text) => text?.ToLowerInvariant() switch
    {
        "cross-entropy" or "crossentropy" or "softmax" or "ce" => new CrossEntropyLoss(),
        "mse" or "mean-squared-error" => new MeanSquaredErrorLoss(),
        "hinge" or "svm" or "multiclass-hinge" => new MultiClassHingeLoss(),
        "bce" or "binary-cross-entropy" => new BinaryCrossEntropyWithLogitsLoss(),
        "huber" => new HuberLoss(),
        _ => throw new ArgumentException($"unknown loss '{text}' (expected cross-entropy, mse, hinge, bce or huber)"),
    };
}
