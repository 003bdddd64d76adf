using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.GradientChecking;

/// <summary>Checks backpropagation against finite differences: the analytic gradient (exact, fast, error-prone)
/// against the numerical one (approximate, slow, easy).</summary>
/// <remarks>
/// For each checked element w of each tensor, the numerical derivative is the centred difference
/// n = (f(w + h) − f(w − h)) / 2h, whose error is O(h²). Per tensor the report gives
/// max|a − n| / max(1e-8, max|a| + max|n|), a relative error that is not fooled by elements whose gradient is near zero.
/// Tensors must be Float64: in single precision the round-off of f(w ± h) swamps the difference.
/// </remarks>
public static class GradientChecker
{
    /// <summary>Checks the gradient of the scalar <paramref name="loss"/> with respect to each named tensor.</summary>
    /// <param name="loss">Recomputes the loss from the current tensor values; must be deterministic.</param>
    /// <param name="tensors">The tensors to check (parameters, or inputs with <see cref="Tensor.RequiresGrad"/> set).</param>
    /// <param name="options">Step, tolerance and sampling; defaults when null.</param>
    /// <exception cref="ArgumentException">A tensor is not Float64, or the loss is not a scalar.</exception>
    public static GradientCheckReport Check(Func<Tensor> loss, IEnumerable<KeyValuePair<string, Tensor>> tensors, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(tensors);
        options ??= new GradientCheckOptions();
        var named = tensors.ToList();
        foreach (var (name, t) in named)
        {
            if (t.DType != DType.Float64)
                throw new ArgumentException($"gradient check of '{name}': tensors must be float64 for finite differences, not {t.DType.Name()}");
            t.RequiresGrad = true;
            t.ClearGrad();
        }

        var value = loss();
        if (value.Count != 1) throw new ArgumentException($"gradient check: the loss must be a scalar, not shape {value.Shape}");
        value.Backward();

        var random = new Random(options.Seed);
        var rows = new List<ParameterGradientCheck>();
        foreach (var (name, t) in named)
        {
            var analytic = t.Grad?.ToDoubleArray() ?? new double[t.Count];
            rows.Add(CheckTensor(name, t, analytic, loss, options, random));
        }

        return new GradientCheckReport(rows, options.Tolerance);
    }

    private static ParameterGradientCheck CheckTensor(string name, Tensor t, double[] analytic, Func<Tensor> loss, GradientCheckOptions options, Random random)
    {
        var indices = ChooseElements(t.Count, options.MaxElementsPerTensor, random);
        var numeric = new double[indices.Length];
        using (GradMode.NoGrad())
        {
            for (int j = 0; j < indices.Length; j++)
            {
                int i = indices[j];
                double original = t.GetFlat(i);   // on a device, each read and write copies across: slow, and exact
                t.SetFlat(i, original + options.Step);
                double plus = loss().Item();
                t.SetFlat(i, original - options.Step);
                double minus = loss().Item();
                t.SetFlat(i, original);
                numeric[j] = (plus - minus) / (2 * options.Step);
            }
        }

        // A NaN difference counts as the worst possible, so a NaN gradient can never pass.
        int worst = 0;
        double maxDiff = 0, maxA = 0, maxN = 0;
        for (int j = 0; j < indices.Length; j++)
        {
            double a = analytic[indices[j]], diff = Math.Abs(a - numeric[j]);
            if (double.IsNaN(diff)) diff = double.PositiveInfinity;
            if (diff > maxDiff)
            {
                maxDiff = diff;
                worst = j;
            }

            maxA = Math.Max(maxA, Math.Abs(a));
            maxN = Math.Max(maxN, Math.Abs(numeric[j]));
        }

        double relative = maxDiff / Math.Max(1e-8, maxA + maxN);
        int worstIndex = indices.Length > 0 ? indices[worst] : 0;
        return new ParameterGradientCheck(name, t.Shape, indices.Length, relative, Unravel(worstIndex, t.Shape),
            indices.Length > 0 ? analytic[worstIndex] : 0, indices.Length > 0 ? numeric[worst] : 0, relative <= options.Tolerance);
    }

    private static int[] ChooseElements(int count, int max, Random random)
    {
        if (count <= max) return Enumerable.Range(0, count).ToArray();
        var all = Enumerable.Range(0, count).ToArray();
        random.Shuffle(all);
        return all[..max];
    }

    private static int[] Unravel(int flat, Shape shape)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            int size = shape.Dims[d];
            index[d] = size == 0 ? 0 : flat % size;
            flat = size == 0 ? 0 : flat / size;
        }

        return index;
    }
}
