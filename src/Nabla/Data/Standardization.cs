using System.Text.Json.Serialization;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>Per-feature standardisation x′ = (x − μ) / σ, with μ and σ computed on the training split only (so the
/// test split tells nothing to the model) and saved with the model, so that prediction sees inputs on the same scale.
/// A constant feature (σ = 0) keeps σ = 1: it is centred, not blown up.</summary>
/// <param name="Mean">μ per feature.</param>
/// <param name="Scale">σ per feature (the population standard deviation), never 0.</param>
public sealed record Standardization([property: JsonPropertyName("mean")] double[] Mean, [property: JsonPropertyName("scale")] double[] Scale)
{
    /// <summary>μ and σ of each column of <paramref name="features"/> (N, D), computed in float64.</summary>
    public static Standardization Fit(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 2 || features.Shape[0] == 0) throw new ArgumentException($"standardisation needs non-empty (N, D) features, not {features.Shape}", nameof(features));
        int n = features.Shape[0], d = features.Shape[1];
        var x = features.ToDoubleArray();
        var mean = new double[d];
        var scale = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) scale[j] += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);
        for (int j = 0; j < d; j++)
        {
            scale[j] = Math.Sqrt(scale[j] / n);
            if (!(scale[j] > 0)) scale[j] = 1;
        }

        return new Standardization(mean, scale);
    }

    /// <summary>(x − μ) / σ for every row of <paramref name="features"/> (N, D), in its dtype.</summary>
    /// <exception cref="ArgumentException">The features do not have D columns.</exception>
    public Tensor Apply(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 2 || features.Shape[1] != Mean.Length)
            throw new ArgumentException($"standardisation was fitted on {Mean.Length} features, not shape {features.Shape}", nameof(features));
        int n = features.Shape[0], d = Mean.Length;
        var x = features.ToDoubleArray();
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - Mean[j]) / Scale[j];
        return Tensor.FromArray(x, features.Shape).To(features.DType);
    }

    /// <summary>The dataset with its features standardised.</summary>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Dataset(Apply(data.Features), data.Labels, data.Classes, data.ClassNames, data.Name);
    }
}
