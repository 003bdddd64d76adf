using System.Globalization;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>A penalty λΩ(W) added to the empirical risk: (1/m) Σ L(f(x⁽ⁱ⁾; W), y⁽ⁱ⁾) + λΩ(W).</summary>
/// <remarks>By default only weights are penalised (parameters whose name ends in "weight"), not biases.
/// The penalty is built from differentiable primitives, so its gradient comes from backpropagation.</remarks>
public abstract class Regularizer
{
    /// <summary>A regulariser of strength λ ≥ 0.</summary>
    protected Regularizer(double strength, bool includeBiases)
    {
        if (!double.IsFinite(strength) || strength < 0) throw new ArgumentOutOfRangeException(nameof(strength), string.Create(CultureInfo.InvariantCulture, $"regularisation strength must be finite and >= 0, not {strength}"));
        Strength = strength;
        IncludeBiases = includeBiases;
    }

    /// <summary>λ.</summary>
    public double Strength { get; }

    /// <summary>Whether biases are penalised too.</summary>
    public bool IncludeBiases { get; }

    /// <summary>Ω of one parameter tensor.</summary>
    protected abstract Tensor Omega(Tensor parameter);

    /// <summary>Whether the parameter of this name is penalised.</summary>
    public bool AppliesTo(string parameterName) =>
        IncludeBiases || parameterName.EndsWith("weight", StringComparison.Ordinal);

    /// <summary>λ Σ_W Ω(W) over the penalised parameters of <paramref name="model"/>, as a scalar tensor.</summary>
    public Tensor Penalty(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Tensor? total = null;
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!AppliesTo(name)) continue;
            var term = Omega(p);
            total = total is null ? term : total + term;
        }

        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        return total is null ? Tensor.Scalar(0, dtype) : total * Strength;
    }

    /// <summary>Whether <see cref="AddPenaltyGradient"/> is implemented, so that training plans can take this penalty.</summary>
    internal virtual bool SupportsPlans => false;

    /// <summary>The parameters of <paramref name="model"/> this penalty applies to, for <see cref="AddPenaltyGradient"/>:
    /// found once, because walking the named parameters builds their dotted names, which a planned step must not
    /// allocate.</summary>
    internal Tensor[] PenalisedParameters(Module model) => [.. model.NamedParameters().Where(p => AppliesTo(p.Key)).Select(p => p.Value)];

    /// <summary>For training plans, without building a graph: adds λ∇Ω(W) to the <c>Grad</c> of every penalised
    /// parameter (from <see cref="PenalisedParameters"/>) and returns λ Σ_W Ω(W), the same value and gradient that
    /// <see cref="Penalty"/> gives through autograd.</summary>
    internal double AddPenaltyGradient(Tensor[] penalised)
    {
        double total = 0;
        foreach (var p in penalised)
        {
            total += p.DType == DType.Float32
                ? AddGradient<float>(p.Buffer<float>(), p.GradientBuffer().Buffer<float>())
                : AddGradient<double>(p.Buffer<double>(), p.GradientBuffer().Buffer<double>());
        }

        return Strength * total;
    }

    /// <summary>Returns Ω(w) and adds λ∇Ω(w) to <paramref name="gradient"/>.</summary>
    private protected virtual double AddGradient<T>(ReadOnlySpan<T> weights, Span<T> gradient)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        throw new NotSupportedException($"{GetType().Name} has no planned gradient");
}
