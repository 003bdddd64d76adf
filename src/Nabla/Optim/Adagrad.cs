using System.Numerics;
using System.Runtime.InteropServices;
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
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon must be finite and > 0, not {epsilon}");
        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and >= 0, not {weightDecay}");
        (Epsilon, WeightDecay) = (epsilon, weightDecay);
    }

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
    private void Update<T>(Span<T> w, ReadOnlySpan<T> grad, T[] sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T eps = T.CreateChecked(Epsilon), decay = T.CreateChecked(WeightDecay), eta = T.CreateChecked(LearningRate);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> epsV = new(eps), decayV = new(decay), etaV = new(eta);
            ref T wRef = ref MemoryMarshal.GetReference(w);
            ref T gRef = ref MemoryMarshal.GetReference(grad);
            for (; i + Vector<T>.Count <= w.Length; i += Vector<T>.Count)
            {
                var wi = Vector.LoadUnsafe(ref wRef, (nuint)i);
                var g = Vector.LoadUnsafe(ref gRef, (nuint)i) + (decayV * wi);
                var si = Vector.LoadUnsafe(ref sums[0], (nuint)i) + (g * g);
                si.StoreUnsafe(ref sums[0], (nuint)i);
                (wi - (etaV * g / (Vector.SquareRoot(si) + epsV))).StoreUnsafe(ref wRef, (nuint)i);
            }
        }

        for (; i < w.Length; i++)
        {
            T g = grad[i] + (decay * w[i]);
            sums[i] += g * g;
            w[i] -= eta * g / (T.Sqrt(sums[i]) + eps);
        }
    }
}
