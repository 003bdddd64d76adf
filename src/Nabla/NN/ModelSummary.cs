using System.Globalization;
using System.Text;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The module's dotted name.</param>
/// <param name="Layer">The module's description.</param>
/// <param name="OutputShape">The shape it produces for the summary's input.</param>
/// <param name="Parameters">Its parameter count.</param>
public sealed record LayerSummary(string Name, string Layer, Shape OutputShape, long Parameters);

/// <summary>A network's layer table (layer, output shape, parameters) and its total parameter count.</summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<LayerSummary> layers) => Layers = layers;

    /// <summary>The rows, in order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Σ of the rows' parameter counts: the answer to "how many parameters do we have?".</summary>
    public long TotalParameters => Layers.Sum(l => l.Parameters);

    /// <summary>Runs a zero input of <paramref name="inputShape"/> through <paramref name="model"/>, recording each
    /// layer's output shape. A module that applies its children one after another (a <see cref="Sequential"/>, an
    /// <see cref="Mlp"/>) is opened into a row per child, recursively; any other module is one row, with the shape of its
    /// output and all its parameters. Rows are named as the layers' parameters are (<c>layers.0</c> in an Mlp).</summary>
    public static ModelSummary Of(Module model, Shape inputShape, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var _ = Autograd.GradMode.NoGrad();
        var rows = new List<LayerSummary>();
        Add(rows, model, "", Tensor.Zeros(inputShape, dtype));
        return new ModelSummary(rows);
    }

    private static Tensor Add(List<LayerSummary> rows, Module module, string path, Tensor x)
    {
        if (module.AppliesChildrenInOrder)
        {
            foreach (var (name, child) in module.NamedChildren()) x = Add(rows, child, path.Length == 0 ? name : $"{path}.{name}", x);
            return x;
        }

        x = module.Forward(x);
        rows.Add(new LayerSummary(path.Length == 0 ? module.GetType().Name : path, module.Describe(), x.Shape, module.ParameterCount()));
        return x;
    }

    /// <summary>The table as text, with a total line.</summary>
    public override string ToString()
    {
        var table = new List<string[]> { new[] { "Layer", "Type", "Output shape", "Parameters" } };
        foreach (var l in Layers)
            table.Add([l.Name, l.Layer, l.OutputShape.ToString(), l.Parameters.ToString("N0", CultureInfo.InvariantCulture)]);
        var widths = Enumerable.Range(0, 4).Select(c => table.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        for (int r = 0; r < table.Count; r++)
        {
            var cells = table[r];
            sb.Append(cells[0].PadRight(widths[0])).Append("  ").Append(cells[1].PadRight(widths[1])).Append("  ")
              .Append(cells[2].PadRight(widths[2])).Append("  ").Append(cells[3].PadLeft(widths[3])).AppendLine();
            if (r == 0) sb.AppendLine(new string('-', widths.Sum() + 6));
        }

        sb.AppendLine(new string('-', widths.Sum() + 6));
        sb.Append(CultureInfo.InvariantCulture, $"Total parameters: {TotalParameters:N0}");
        return sb.ToString();
    }
}
