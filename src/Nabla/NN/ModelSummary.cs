using System.Globalization;
using System.Text;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The module's dotted name.</param>
/// <param name="Layer">The module's description.</param>
/// <param name="OutputShape">The shape it produces for the summary's input.</param>
/// <param name="Parameters">Its parameter count.</param>
/// <param name="Used">False for a layer whose parameters the forward pass never read (its output shape is then a
/// scalar's, meaning none).</param>
public sealed record LayerSummary(string Name, string Layer, Shape OutputShape, long Parameters, bool Used = true);

/// <summary>A network's layer table (layer, output shape, parameters) and its total parameter count.</summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<LayerSummary> layers) => Layers = layers;

    /// <summary>The rows, in order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Σ of the rows' parameter counts: the answer to "how many parameters do we have?".</summary>
    public long TotalParameters => Layers.Sum(l => l.Parameters);

    /// <summary>Runs a zero input of <paramref name="inputShape"/> through <paramref name="model"/>, recording each
    /// layer's output shape. Rows are named as the layers' parameters are (<c>layers.0</c> in an Mlp,
    /// <c>blocks.2.norm</c> in a module of one's own).</summary>
    /// <remarks>
    /// <para>A module that applies its children one after another (a <see cref="Sequential"/>, an <see cref="Mlp"/>)
    /// is opened into a row per child, recursively. A layer without children is one row.</para>
    /// <para>A module with its own <c>Forward</c> over children (a residual block, a user's network) is traced: its
    /// forward runs while the kernels it launches are watched, and each layer with parameters gets a row, in the order
    /// its parameters are first read, with the shape of what that kernel wrote. Layers without parameters (an
    /// activation, a pooling) are not told apart from the arithmetic around them and get no row of their own; the
    /// module's own row closes its rows, with its output shape and the parameters it holds itself. A layer whose
    /// parameters the forward never read is listed as not used.</para>
    /// </remarks>
    public static ModelSummary Of(Module model, Shape inputShape, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var _ = Autograd.GradMode.NoGrad();
        using var device = Backends.Backend.Use(ModuleDevice.BackendFor(ModuleDevice.Anchor(model)));   // a model on a GPU is traced there
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

        if (module.NamedChildren().Any()) return AddTraced(rows, module, path, x);
        x = module.Forward(x);
        rows.Add(new LayerSummary(RowName(module, path), module.Describe(), x.Shape, module.ParameterCount()));
        return x;
    }

    /// <summary>The rows of a module with its own Forward over children, from a traced forward pass.</summary>
    private static Tensor AddTraced(List<LayerSummary> rows, Module module, string path, Tensor x)
    {
        // Each parameter's storage names the layer that holds it.
        var owners = new Dictionary<Backends.BackendStorage, (string Path, Module Layer)>(ReferenceEqualityComparer.Instance);
        var layers = new List<(string Path, Module Layer)>();
        foreach (var (subPath, layer) in module.NamedModules())
        {
            if (subPath.Length == 0 || !layer.OwnParameters().Any()) continue;
            var named = (path.Length == 0 ? subPath : $"{path}.{subPath}", layer);
            layers.Add(named);
            foreach (var (_, parameter) in layer.OwnParameters()) owners.TryAdd(parameter.Storage, named);
        }

        Tensor y;
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        using (var trace = Engine.KernelTrace.Start())
        {
            y = module.Forward(x);
            foreach (var (reads, output) in trace.Launches)
            {
                foreach (var read in reads)
                {
                    if (read is null || output is not { } shape || !owners.TryGetValue(read, out var owner) || !seen.Add(owner.Layer)) continue;
                    rows.Add(new LayerSummary(owner.Path, owner.Layer.Describe(), shape, OwnCount(owner.Layer)));
                }
            }
        }

        foreach (var (layerPath, layer) in layers)
        {
            if (!seen.Contains(layer)) rows.Add(new LayerSummary(layerPath, layer.Describe(), Shape.Scalar, OwnCount(layer), Used: false));
        }

        rows.Add(new LayerSummary(RowName(module, path), module.Describe(), y.Shape, OwnCount(module)));
        return y;
    }

    private static string RowName(Module module, string path) => path.Length == 0 ? module.GetType().Name : path;

    private static long OwnCount(Module module) => module.OwnParameters().Sum(p => (long)p.Value.Count);

    /// <summary>The table as text, with a total line.</summary>
    public override string ToString()
    {
        var table = new List<string[]> { new[] { "Layer", "Type", "Output shape", "Parameters" } };
        foreach (var l in Layers)
            table.Add([l.Name, l.Layer, l.Used ? l.OutputShape.ToString() : "not used", l.Parameters.ToString("N0", CultureInfo.InvariantCulture)]);
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
