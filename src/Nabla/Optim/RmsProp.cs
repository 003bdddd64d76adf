using System.Globalization;
using System.Numerics;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>RMSProp (Hinton's lecture 6e): each weight's step is scaled by a running root mean square of its gradients.</summary>
/// <remarks>
/// As PyTorch's RMSprop without momentum or centring:
/// <code>
/// g ← ∇W + λ_wd · W
/// s ← α · s + (1 − α) · g²
/// W ← W − η · g / (√s + ε)
/// </code>
/// </remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSProp with learning rate η (default 0.01), smoothing α ∈ [0, 1), ε &gt; 0 and weight decay.</summary>
    public RmsProp(IEnumerable<Tensor> parameters, double learningRate = 0.01, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), string.Create(CultureInfo.InvariantCulture, $"alpha must be in [0, 1), not {alpha}"));
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be finite and > 0, not {epsilon}"));
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), string.Create(CultureInfo.InvariantCulture, $"weight decay must be finite and >= 0, not {weightDecay}"));
        (Alpha, Epsilon, WeightDecay) = (alpha, epsilon, weightDecay);
    }

    /// <summary>α, the decay of the running mean square.</summary>
    public double Alpha { get; }

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

    // RMSProp is the shared step with the square's running mean: s ← α · s + (1 − α) · g².
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, Span<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = T.CreateChecked(Alpha);
        RootSquareStep.Apply(w, grad, s, alpha, T.One - alpha, T.CreateChecked(Epsilon), T.CreateChecked(WeightDecay), T.CreateChecked(LearningRate));
    }
}
