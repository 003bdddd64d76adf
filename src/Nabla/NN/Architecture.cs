using System.Reflection;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>A network written as one compact string of layers separated by '-', such as W4's
/// <c>conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10</c>.</summary>
/// <remarks>
/// <para>The layers (case does not matter), each declared by its own class (its <c>ArchitectureWord</c>):
/// <c>conv&lt;O&gt;k&lt;K&gt;[s&lt;S&gt;][p&lt;P&gt;][d&lt;D&gt;][g&lt;G&gt;]</c> (Conv2d to O channels, K×K kernel, stride S (1),
/// padding P (0), dilation D (1), G groups (1)); <c>pool&lt;K&gt;[s&lt;S&gt;]</c> or <c>maxpool…</c> (MaxPool2d over K×K
/// windows, stride S (K)); <c>avgpool&lt;K&gt;[s&lt;S&gt;]</c> (AvgPool2d); <c>gap</c> (global average pooling,
/// (C, H, W) → (C)); <c>flatten</c> ((C, H, W) → (C·H·W)); <c>fc&lt;N&gt;</c> or <c>linear&lt;N&gt;</c> (Linear to N
/// features); <c>bn</c> (batch normalisation, 2-d on images, 1-d on features); <c>dropout&lt;p&gt;</c> (e.g.
/// <c>dropout0.25</c>); the activations <c>relu</c>, <c>tanh</c>, <c>sigmoid</c>, <c>leakyrelu</c>, <c>elu</c>,
/// <c>silu</c>, <c>softplus</c> and <c>gelu</c>; and any layer added since (<see cref="Words"/> lists them all).</para>
/// <para>Input sizes are never written: each layer takes the shape the previous one gives, starting from the example
/// shape of the data, so a description is checked against the data before any training starts.</para>
/// <para>The network is a <see cref="Sequential"/> with one module per layer (after the leading <see cref="Layers.Unflatten"/>
/// of <c>flatInput</c>), so its state-dict names (<c>1.weight</c>, <c>2.running_mean</c>, …) are those of the equivalent
/// PyTorch <c>nn.Sequential</c> (<c>gap</c> standing for <c>nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())</c>).</para>
/// </remarks>
public static class Architecture
{
    /// <summary>The most values (parameters and buffers together) a described network may hold: 2³⁰, 4 GiB of float32.
    /// A description that needs more is refused before anything is allocated.</summary>
    public const long MaxStateElements = 1L << 30;

    /// <summary>The most values the example, and each layer's output for one example, may hold: 2²⁸.</summary>
    public const long MaxExampleElements = 1L << 28;

    /// <summary>Builds the network described by <paramref name="description"/> for examples of
    /// <paramref name="exampleShape"/>: (C, H, W) images or (F) feature rows. With <paramref name="flatInput"/>, the
    /// network takes images as flat rows of C·H·W values (as the datasets give them) and starts by unflattening them.</summary>
    /// <returns>The network and the shape of one example's output.</returns>
    /// <exception cref="ArgumentException">A layer is unknown or malformed, or does not fit the shape before it, or the
    /// network would exceed <see cref="MaxStateElements"/> or a shape <see cref="MaxExampleElements"/>; the message
    /// names the layer, its position and the shapes. Everything is checked before any weight is allocated.</exception>
    /// <param name="description">The layers, e.g. <c>fc128-relu-fc10</c>.</param>
    /// <param name="exampleShape">The shape of one example.</param>
    /// <param name="random">The generator every layer draws its initial weights from, in order.</param>
    /// <param name="flatInput">Whether image examples come as flat rows (an <see cref="Layers.Unflatten"/> first).</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="init">The weight initialiser of the linear and convolution layers; null for PyTorch's default.</param>
    public static (Sequential Model, int[] OutputShape) Build(string description, IReadOnlyList<int> exampleShape, Random random, bool flatInput = true, DType dtype = DType.Float32, Initialization.Initializer? init = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (layers, shape, _) = Plan(description, exampleShape);
        var model = new Sequential();
        if (flatInput && exampleShape.Count == 3) model.Add(new Unflatten([.. exampleShape]));
        foreach (var layer in layers) model.Add(layer(random, dtype, init));
        // Saved models are built again with flat input: only then are the layers' names the same.
        if (flatInput || exampleShape.Count != 3) model.BuiltFrom(NetworkBlueprint.Of(description, exampleShape));
        return (model, shape);
    }

    /// <summary>Checks <paramref name="description"/> against <paramref name="exampleShape"/> as <see cref="Build"/>
    /// does, without allocating a layer.</summary>
    /// <returns>The shape of one example's output, and the values the network's state holds (parameters and buffers:
    /// what its state dict, and so its weights file, must hold).</returns>
    /// <exception cref="ArgumentException">As for <see cref="Build"/>.</exception>
    public static (int[] OutputShape, long StateElements) Check(string description, IReadOnlyList<int> exampleShape)
    {
        var (_, shape, state) = Plan(description, exampleShape);
        return (shape, state);
    }

    private static (List<Func<Random, DType, Initialization.Initializer?, Module>> Layers, int[] Shape, long State) Plan(string description, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Count is not (1 or 3) || exampleShape.Any(d => d < 1))
            throw new ArgumentException($"architecture: the example shape must be (C, H, W) or (F) with positive sizes, got ({string.Join(", ", exampleShape)})");
        if (exampleShape.Aggregate(1L, (a, d) => LayerPlanning.Multiply(a, d)) > MaxExampleElements)
            throw new ArgumentException($"architecture: the example shape ({string.Join(", ", exampleShape)}) holds more than {MaxExampleElements} values");
        var tokens = description.Split('-', StringSplitOptions.TrimEntries);
        if (tokens.Length == 0 || tokens.Any(t => t.Length == 0))
            throw new ArgumentException($"architecture '{description}': layers must be separated by single '-' (an empty layer is not allowed)");

        var layers = new List<Func<Random, DType, Initialization.Initializer?, Module>>(tokens.Length);
        int[] shape = [.. exampleShape];
        long state = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i].ToLowerInvariant();
            string where = $"architecture '{Shorten(description)}', layer {i + 1} '{Shorten(tokens[i])}'";
            var (layer, next, values) = Layer(token, shape, where);
            state += values;
            if (state > MaxStateElements)
                throw new ArgumentException($"{where}: the network would hold more than {MaxStateElements} parameters and buffers");
            layers.Add(layer);
            shape = next;
        }

        return (layers, shape, state);
    }

    /// <summary>Every layer's word: the static <see cref="ArchitectureToken"/> properties the library's modules declare
    /// beside their own code (<c>ArchitectureWord</c>), found once.</summary>
    private static readonly Lazy<ArchitectureToken[]> s_words = new(() =>
    [
        .. typeof(Module).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(Module)))
            .SelectMany(type => type.GetProperties(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(property => property.PropertyType == typeof(ArchitectureToken))
            .Select(property => (ArchitectureToken)property.GetValue(null)!)
            .OrderBy(word => word.Syntax, StringComparer.Ordinal),
    ]);

    /// <summary>The words of the language, as the unknown-layer message lists them.</summary>
    public static IReadOnlyList<string> Words => [.. s_words.Value.Select(w => w.Syntax)];

    /// <summary>A layer's factory, its output shape for one example, and the values its state holds.</summary>
    private static LayerPlan Layer(string token, int[] shape, string where)
    {
        var matching = s_words.Value.Where(word => word.Matches(token)).ToList();
        if (matching.Count > 1)
            throw new InvalidOperationException($"{where}: the words {string.Join(" and ", matching.Select(w => w.Syntax))} both match; a layer's word must not overlap another's");
        if (matching.Count == 0)
            throw new ArgumentException($"{where}: unknown layer (expected {string.Join(", ", s_words.Value[..^1].Select(w => w.Syntax))} or {s_words.Value[^1].Syntax})");
        return matching[0].Plan(token, new LayerPlanning(shape, where));
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
