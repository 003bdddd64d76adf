using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>Limits on gradients before an update, against the occasional huge step (exploding gradients).</summary>
public static class GradientClipping
{
    /// <summary>Scales all gradients together so that their joint L2 norm ‖(∇W₁, ∇W₂, …)‖ is at most
    /// <paramref name="maxNorm"/>: g ← g · maxNorm / (‖g‖ + 10⁻⁶) when ‖g‖ &gt; maxNorm (PyTorch's clip_grad_norm_).
    /// Returns the norm before clipping, for logging. Parameters without a gradient are skipped.</summary>
    public static double ClipByNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm)) throw new ArgumentOutOfRangeException(nameof(maxNorm), string.Create(CultureInfo.InvariantCulture, $"the maximum norm must be finite and > 0, not {maxNorm}"));
        double squares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            squares += g.RawSumOfSquares();
        }

        double norm = Math.Sqrt(squares);
        if (norm <= maxNorm) return norm;
        double scale = maxNorm / (norm + 1e-6);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            g.RawScaleInPlace(scale);
        }

        return norm;
    }

    /// <summary>Clamps every gradient element to [−<paramref name="limit"/>, <paramref name="limit"/>].</summary>
    public static void ClipByValue(IReadOnlyList<Tensor> parameters, double limit)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(limit > 0) || !double.IsFinite(limit)) throw new ArgumentOutOfRangeException(nameof(limit), string.Create(CultureInfo.InvariantCulture, $"the limit must be finite and > 0, not {limit}"));
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            g.RawClampInPlace(limit);
        }
    }
}
