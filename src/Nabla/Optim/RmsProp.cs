using System.Numerics;
using System.Runtime.InteropServices;
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
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be in [0, 1), not {alpha}");
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon must be finite and > 0, not {epsilon}");
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and >= 0, not {weightDecay}");
        (Alpha, Epsilon, WeightDecay) = (alpha, epsilon, weightDecay);
    }

    /// <summary>α, the decay of the running mean square.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ_wd.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient) =>
        Update(parameter, gradient, State<float>(0, index, parameter.Length));

    /// <inheritdoc/>
    protected override void Update(int index, Span<double> parameter, ReadOnlySpan<double> gradient) =>
        Update(parameter, gradient, State<double>(0, index, parameter.Length));

    // One vectorised pass per parameter, the same operations in the same order in the vector and scalar loops.
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, T[] s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T alpha = T.CreateChecked(Alpha), rest = T.One - alpha, eps = T.CreateChecked(Epsilon), decay = T.CreateChecked(WeightDecay), eta = T.CreateChecked(LearningRate);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> alphaV = new(alpha), restV = new(rest), epsV = new(eps), decayV = new(decay), etaV = new(eta);
            ref T wRef = ref MemoryMarshal.GetReference(w);
            ref T gRef = ref MemoryMarshal.GetReference(grad);
            for (; i + Vector<T>.Count <= w.Length; i += Vector<T>.Count)
            {
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i);
                var g = Vector.LoadUnsafe(ref gRef, (nuint)i) + (decayV * wi);
                var si = (alphaV * Vector.LoadUnsafe(ref s[0], (nuint)i)) + (restV * g * g);
                si.StoreUnsafe(ref s[0], (nuint)i);
                (wi - (etaV * g / (Vector.SquareRoot(si) + epsV))).StoreUnsafe(ref wRef, (nuint)i);
            }
        }

        for (; i < w.Length; i++)
        {
            T g = grad[i] + (decay * w[i]);
            s[i] = (alpha * s[i]) + (rest * g * g);
            w[i] -= eta * g / (T.Sqrt(s[i]) + eps);
        }
    }
}
