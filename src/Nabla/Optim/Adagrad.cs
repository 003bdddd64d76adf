using System.Globalization;
using System.Numerics;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>Adagrad (Duchi, Hazan and Singer, 2011): each weight's step shrinks with the sum of its squared gradients.</summary>
/// <remarks>
/// As PyTorch's Adagrad without learning-rate decay:
/// <code>
/// g ← ∇W + λ_wd · W
/// S ← S + g²
/// W ← W − η · g / (√S + ε)
/// </code>
/// </remarks>
public sealed class Adagrad : Optimizer
{
    /// <summary>Adagrad with learning rate η (default 0.01), ε &gt; 0 (default 1e-10) and weight decay.</summary>
    public Adagrad(IEnumerable<Tensor> parameters, double learningRate = 0.01, double epsilon = 1e-10, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be finite and > 0, not {epsilon}"));
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), string.Create(CultureInfo.InvariantCulture, $"weight decay must be finite and >= 0, not {weightDecay}"));
        (Epsilon, WeightDecay) = (epsilon, weightDecay);
    }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ_wd.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient) => UpdatePart(index, 0, parameter, gradient);

    /// <inheritdoc/>
    protected override void Update(int index, Span<double> parameter, ReadOnlySpan<double> gradient) => UpdatePart(index, 0, parameter, gradient);

    /// <inheritdoc/>
    private protected override bool UpdatesElementwise => true;

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<float> parameter, ReadOnlySpan<float> gradient) =>
        Update(parameter, gradient, StatePart<float>(0, index, offset, parameter.Length));

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<double> parameter, ReadOnlySpan<double> gradient) =>
        Update(parameter, gradient, StatePart<double>(0, index, offset, parameter.Length));

    // Adagrad is the shared step with nothing forgotten: S ← 1 · S + 1 · g².
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        RootSquareStep.Apply(w, grad, sums, T.One, T.One, T.CreateChecked(Epsilon), T.CreateChecked(WeightDecay), T.CreateChecked(LearningRate));
}
