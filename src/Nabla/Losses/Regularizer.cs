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
}
