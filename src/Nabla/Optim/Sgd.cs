using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>Stochastic gradient descent, the lecture's update rule, with optional momentum, Nesterov momentum and
/// weight decay (the same equations as PyTorch's SGD without dampening).</summary>
/// <remarks>
/// For each parameter W with gradient ∇W:
/// <code>
/// g ← ∇W + λ_wd · W                      (weight decay)
/// v ← μ · v + g                          (momentum buffer, v₀ = g)
/// g ← g + μ · v  if Nesterov, else g ← v
/// W ← W − η · g
/// </code>
/// With μ = 0 and λ_wd = 0 this is the plain update W ← W − η ∇W.
/// </remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD with learning rate η, momentum μ ∈ [0, 1), Nesterov momentum and weight decay λ_wd ≥ 0.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), string.Create(CultureInfo.InvariantCulture, $"momentum must be in [0, 1), not {momentum}"));
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), string.Create(CultureInfo.InvariantCulture, $"weight decay must be finite and >= 0, not {weightDecay}"));
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum > 0");
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>λ_wd.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient) => UpdatePart(index, 0, parameter, gradient);

    /// <inheritdoc/>
    protected override void Update(int index, Span<double> parameter, ReadOnlySpan<double> gradient) => UpdatePart(index, 0, parameter, gradient);

    /// <inheritdoc/>
    private protected override bool UpdatesElementwise => true;

    private protected override void UpdateOnDevice(int index, Tensor parameter, Tensor gradient, Backends.IOptimizerKernels kernels) =>
        kernels.SgdStep(parameter.Storage, gradient.Storage, Momentum > 0 ? DeviceState(0, index).Storage : null, LearningRate, Momentum, Nesterov, WeightDecay);

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<float> parameter, ReadOnlySpan<float> gradient) =>
        Update(parameter, gradient, Momentum > 0, Momentum > 0 ? StatePart<float>(0, index, offset, parameter.Length) : default);

    /// <inheritdoc/>
    private protected override void UpdatePart(int index, int offset, Span<double> parameter, ReadOnlySpan<double> gradient) =>
        Update(parameter, gradient, Momentum > 0, Momentum > 0 ? StatePart<double>(0, index, offset, parameter.Length) : default);

    // One vectorised pass per parameter: each element's gradient, velocity and weight are read and written once.
    // The vector and scalar loops do the same operations in the same order, so results do not depend on the width.
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, bool hasVelocity, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T eta = T.CreateChecked(LearningRate), mu = T.CreateChecked(Momentum), decay = T.CreateChecked(WeightDecay);
        bool nesterov = Nesterov;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var etaV = new Vector<T>(eta);
            var muV = new Vector<T>(mu);
            var decayV = new Vector<T>(decay);
            ref T wRef = ref MemoryMarshal.GetReference(w);
            ref T gRef = ref MemoryMarshal.GetReference(grad);
            for (; i + Vector<T>.Count <= w.Length; i += Vector<T>.Count)
            {
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i);
                var g = Vector.LoadUnsafe(ref gRef, (nuint)i) + (decayV * wi);
                if (hasVelocity)
                {
                    var v = (muV * Vector.LoadUnsafe(ref MemoryMarshal.GetReference(velocity), (nuint)i)) + g;
                    v.StoreUnsafe(ref MemoryMarshal.GetReference(velocity), (nuint)i);
                    g = nesterov ? g + (muV * v) : v;
                }

                (wi - (etaV * g)).StoreUnsafe(ref wRef, (nuint)i);
            }
        }

        for (; i < w.Length; i++)
        {
            T g = grad[i] + (decay * w[i]);
            if (hasVelocity)
            {
                // The buffer starts at zero, so v₁ = g, as in PyTorch.
                T v = (mu * velocity[i]) + g;
                velocity[i] = v;
                g = nesterov ? g + (mu * v) : v;
            }

            w[i] -= eta * g;
        }
    }
}
