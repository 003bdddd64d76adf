using Nabla.Tensors;

namespace Nabla.Data.Datasets;

/// <summary>Two-dimensional toy problems for seeing what a network can separate: interleaved spirals, two moons and
/// concentric circles. Each is generated from a seed (nothing is read), with Gaussian noise of standard deviation
/// <c>noise</c> added to both coordinates; features are float32 (N, 2), roughly within [−1.5, 1.5].</summary>
public static class ToyData
{
    /// <summary>The names <see cref="Generate"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["spiral", "moons", "circles"];

    /// <summary>The dataset named <paramref name="name"/> (spiral, moons or circles) with
    /// <paramref name="perClass"/> points per class and, unless given, each one's default noise.</summary>
    /// <exception cref="ArgumentException">An unknown name, or fewer than 2 points per class.</exception>
    public static Dataset Generate(string name, int perClass = 200, double? noise = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "spiral" => Spiral(perClass, noise ?? 0.05, seed),
            "moons" => Moons(perClass, noise ?? 0.1, seed),
            "circles" => Circles(perClass, noise ?? 0.05, seed),
            _ => throw new ArgumentException($"unknown toy dataset '{name}' (expected spiral, moons or circles)", nameof(name)),
        };
    }

    /// <summary>Interleaved spirals, one arm per class (three by default), each turning once around the origin: point
    /// t ∈ [0, 1] of arm k lies at radius t and angle 2πt + 2πk/C. No straight line separates them.</summary>
    public static Dataset Spiral(int perClass = 200, double noise = 0.05, int seed = 0, int classes = 3)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a spiral needs at least 2 arms");
        return Build("spiral", perClass, classes, noise, seed, (t, k) =>
        {
            double angle = 2 * Math.PI * (t + (double)k / classes);
            return (t * Math.Cos(angle), t * Math.Sin(angle));
        });
    }

    /// <summary>Two interleaved half circles: class 0 on (cos θ, sin θ), class 1 on (1 − cos θ, 0.5 − sin θ), θ ∈ [0, π],
    /// shifted to centre on the origin.</summary>
    public static Dataset Moons(int perClass = 200, double noise = 0.1, int seed = 0) =>
        Build("moons", perClass, 2, noise, seed, (t, k) =>
        {
            double theta = Math.PI * t;
            return k == 0 ? (Math.Cos(theta) - 0.5, Math.Sin(theta) - 0.25) : (0.5 - Math.Cos(theta), 0.25 - Math.Sin(theta));
        });

    /// <summary>Two concentric circles, radius 1 (class 0) and 0.5 (class 1): separable only by a closed boundary.</summary>
    public static Dataset Circles(int perClass = 200, double noise = 0.05, int seed = 0) =>
        Build("circles", perClass, 2, noise, seed, (t, k) =>
        {
            double radius = k == 0 ? 1.0 : 0.5, angle = 2 * Math.PI * t;
            return (radius * Math.Cos(angle), radius * Math.Sin(angle));
        });

    private static Dataset Build(string name, int perClass, int classes, double noise, int seed, Func<double, int, (double X, double Y)> point)
    {
        if (perClass < 2) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "a toy dataset needs at least 2 points per class");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be finite and non-negative");
        var random = new Random(seed);
        var features = new float[perClass * classes * 2];
        var labels = new int[perClass * classes];
        for (int k = 0; k < classes; k++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int n = k * perClass + i;
                var (x, y) = point((double)i / (perClass - 1), k);
                features[2 * n] = (float)(x + noise * Gaussian(random));
                features[2 * n + 1] = (float)(y + noise * Gaussian(random));
                labels[n] = k;
            }
        }

        return new Dataset(Tensor.FromArray(features, new Shape(perClass * classes, 2)), labels, classes, name: name);
    }

    // Box–Muller: one standard normal draw from two uniform ones.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
