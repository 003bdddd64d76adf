using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>Adam (Kingma and Ba, 2015) with optional L2 weight decay added to the gradient.</summary>
/// <remarks>
/// For each parameter W with gradient ∇W, at step t = 1, 2, …:
/// <code>
/// g ← ∇W + λ_wd · W
/// m ← β₁ · m + (1 − β₁) · g
/// v ← β₂ · v + (1 − β₂) · g²
/// m̂ ← m / (1 − β₁ᵗ),  v̂ ← v / (1 − β₂ᵗ)
/// W ← W − η · m̂ / (√v̂ + ε)
/// </code>
/// <see cref="AdamW"/> decouples the decay instead: W ← (1 − η·λ_wd)·W, with g = ∇W.
/// </remarks>
public class Adam : Optimizer
{
    private readonly bool _decoupled;

    /// <summary>Adam with learning rate η (default 1e-3), β₁, β₂, ε and weight decay.</summary>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: false)
    {
    }

    /// <summary>For <see cref="AdamW"/>: the decay shrinks the weights directly rather than entering the gradient.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupledWeightDecay)
        : base(parameters, learningRate)
    {
        _decoupled = decoupledWeightDecay;
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), string.Create(CultureInfo.InvariantCulture, $"beta1 must be in [0, 1), not {beta1}"));
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), string.Create(CultureInfo.InvariantCulture, $"beta2 must be in [0, 1), not {beta2}"));
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), string.Create(CultureInfo.InvariantCulture, $"epsilon must be finite and > 0, not {epsilon}"));
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), string.Create(CultureInfo.InvariantCulture, $"weight decay must be finite and >= 0, not {weightDecay}"));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
    }

    /// <summary>β₁, the first-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the second-moment decay.</summary>
    public double Beta2 { get; }

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

    private protected override void UpdateOnDevice(int index, Tensor parameter, Tensor gradient, Backends.IOptimizerKernels kernels) =>
        kernels.AdamStep(parameter.Storage, gradient.Storage, DeviceState(0, index).Storage, DeviceState(1, index).Storage, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, _decoupled, StepCount);

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<float> parameter, ReadOnlySpan<float> gradient) =>
        Update(parameter, gradient, StatePart<float>(0, index, offset, parameter.Length), StatePart<float>(1, index, offset, parameter.Length));

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<double> parameter, ReadOnlySpan<double> gradient) =>
        Update(parameter, gradient, StatePart<double>(0, index, offset, parameter.Length), StatePart<double>(1, index, offset, parameter.Length));

    // One vectorised pass per parameter, the same operations in the same order in the vector and scalar loops.
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, Span<T> m, Span<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b1 = T.CreateChecked(Beta1), b2 = T.CreateChecked(Beta2), eps = T.CreateChecked(Epsilon);
        T eta = T.CreateChecked(LearningRate);
        // Adam adds λ·W to the gradient; AdamW multiplies W by 1 − η·λ first and leaves the gradient alone.
        T decay = _decoupled ? T.Zero : T.CreateChecked(WeightDecay);
        T shrink = _decoupled ? T.One - T.CreateChecked(LearningRate * WeightDecay) : T.One;
        T correction1 = T.One - T.CreateChecked(Math.Pow(Beta1, StepCount));
        T correction2 = T.One - T.CreateChecked(Math.Pow(Beta2, StepCount));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> b1V = new(b1), b2V = new(b2), oneMinusB1 = new(T.One - b1), oneMinusB2 = new(T.One - b2);
            Vector<T> epsV = new(eps), decayV = new(decay), etaV = new(eta), c1 = new(correction1), c2 = new(correction2), shrinkV = new(shrink);
            ref T wRef = ref MemoryMarshal.GetReference(w);
            ref T gRef = ref MemoryMarshal.GetReference(grad);
            for (; i + Vector<T>.Count <= w.Length; i += Vector<T>.Count)
            {
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i);
                var g = Vector.LoadUnsafe(ref gRef, (nuint)i) + (decayV * wi);
                var mi = (b1V * Vector.LoadUnsafe(ref MemoryMarshal.GetReference(m), (nuint)i)) + (oneMinusB1 * g);
                var vi = (b2V * Vector.LoadUnsafe(ref MemoryMarshal.GetReference(v), (nuint)i)) + (oneMinusB2 * g * g);
                mi.StoreUnsafe(ref MemoryMarshal.GetReference(m), (nuint)i);
                vi.StoreUnsafe(ref MemoryMarshal.GetReference(v), (nuint)i);
                ((shrinkV * wi) - (etaV * (mi / c1) / (Vector.SquareRoot(vi / c2) + epsV))).StoreUnsafe(ref wRef, (nuint)i);
            }
        }

        for (; i < w.Length; i++)
        {
            T g = grad[i] + (decay * w[i]);
            m[i] = (b1 * m[i]) + ((T.One - b1) * g);
            v[i] = (b2 * v[i]) + ((T.One - b2) * g * g);
            T mHat = m[i] / correction1, vHat = v[i] / correction2;
            w[i] = (shrink * w[i]) - (eta * mHat / (T.Sqrt(vHat) + eps));
        }
    }
}
