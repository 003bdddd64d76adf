using System.Globalization;
using System.Text.RegularExpressions;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>A network written as one compact string of layers separated by '-', such as W4's
/// <c>conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-flatten-fc128-relu-fc10</c>.</summary>
/// <remarks>
/// <para>The layers (case does not matter):</para>
/// <list type="table">
/// <item><term><c>conv&lt;O&gt;k&lt;K&gt;[s&lt;S&gt;][p&lt;P&gt;][d&lt;D&gt;][g&lt;G&gt;]</c></term><description>Conv2d to O channels, K×K kernel, stride S (1), padding P (0), dilation D (1), G groups (1)</description></item>
/// <item><term><c>pool&lt;K&gt;[s&lt;S&gt;]</c>, <c>maxpool…</c></term><description>MaxPool2d over K×K windows, stride S (K)</description></item>
/// <item><term><c>avgpool&lt;K&gt;[s&lt;S&gt;]</c></term><description>AvgPool2d</description></item>
/// <item><term><c>gap</c></term><description>global average pooling, (C, H, W) → (C)</description></item>
/// <item><term><c>flatten</c></term><description>(C, H, W) → (C·H·W)</description></item>
/// <item><term><c>fc&lt;N&gt;</c>, <c>linear&lt;N&gt;</c></term><description>Linear to N features</description></item>
/// <item><term><c>bn</c></term><description>batch normalisation (2-d on images, 1-d on features)</description></item>
/// <item><term><c>dropout&lt;p&gt;</c></term><description>dropout with probability p, e.g. <c>dropout0.25</c></description></item>
/// <item><term><c>relu</c>, <c>tanh</c>, <c>sigmoid</c>, <c>leakyrelu</c>, <c>elu</c>, <c>silu</c>, <c>softplus</c>, <c>gelu</c></term><description>activations</description></item>
/// </list>
/// <para>Input sizes are never written: each layer takes the shape the previous one gives, starting from the example
/// shape of the data, so a description is checked against the data before any training starts.</para>
/// <para>The network is a <see cref="Sequential"/> with one module per layer (after the leading <see cref="Layers.Unflatten"/>
/// of <c>flatInput</c>), so its state-dict names (<c>1.weight</c>, <c>2.running_mean</c>, …) are those of the equivalent
/// PyTorch <c>nn.Sequential</c> (<c>gap</c> standing for <c>nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())</c>).</para>
/// </remarks>
public static partial class Architecture
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
    public static (Sequential Model, int[] OutputShape) Build(string description, IReadOnlyList<int> exampleShape, Random random, bool flatInput = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (layers, shape, _) = Plan(description, exampleShape);
        var model = new Sequential();
        if (flatInput && exampleShape.Count == 3) model.Add(new Unflatten([.. exampleShape]));
        foreach (var layer in layers) model.Add(layer(random, dtype));
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

    private static (List<Func<Random, DType, Module>> Layers, int[] Shape, long State) Plan(string description, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Count is not (1 or 3) || exampleShape.Any(d => d < 1))
            throw new ArgumentException($"architecture: the example shape must be (C, H, W) or (F) with positive sizes, got ({string.Join(", ", exampleShape)})");
        if (exampleShape.Aggregate(1L, (a, d) => Multiply(a, d)) > MaxExampleElements)
            throw new ArgumentException($"architecture: the example shape ({string.Join(", ", exampleShape)}) holds more than {MaxExampleElements} values");
        var tokens = description.Split('-', StringSplitOptions.TrimEntries);
        if (tokens.Length == 0 || tokens.Any(t => t.Length == 0))
            throw new ArgumentException($"architecture '{description}': layers must be separated by single '-' (an empty layer is not allowed)");

        var layers = new List<Func<Random, DType, Module>>(tokens.Length);
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

    /// <summary>A layer's factory, its output shape for one example, and the values its state holds.</summary>
    private static (Func<Random, DType, Module> Create, int[] Shape, long State) Layer(string token, int[] shape, string where)
    {
        switch (token)
        {
            case "relu": return ((_, _) => new Relu(), shape, 0);
            case "tanh": return ((_, _) => new Tanh(), shape, 0);
            case "sigmoid": return ((_, _) => new Sigmoid(), shape, 0);
            case "leakyrelu" or "leaky-relu": return ((_, _) => new LeakyRelu(), shape, 0);
            case "elu": return ((_, _) => new Elu(), shape, 0);
            case "silu" or "swish": return ((_, _) => new Silu(), shape, 0);
            case "softplus": return ((_, _) => new Softplus(), shape, 0);
            case "gelu": return ((_, _) => new Gelu(), shape, 0);
            case "flatten":
                RequireImage(shape, where);
                // Every shape is at most MaxExampleElements, so the product fits an int.
                return ((_, _) => new Layers.Flatten(), [shape[0] * shape[1] * shape[2]], 0);
            case "gap":
                RequireImage(shape, where);
                return ((_, _) => new GlobalAvgPool2d(), [shape[0]], 0);
        }

        if (token == "bn")
        {
            int channels = shape[0];
            // Weight, bias, running mean and running variance.
            return (shape.Length == 3 ? (_, dtype) => new BatchNorm2d(channels, dtype: dtype) : (_, dtype) => new BatchNorm1d(channels, dtype: dtype), shape, 4L * channels);
        }

        if (DropoutPattern().Match(token) is { Success: true } dropout)
        {
            if (!double.TryParse(dropout.Groups["p"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p >= 0 && p < 1))
                throw new ArgumentException($"{where}: the dropout probability must be in [0, 1)");
            return ((random, _) => new Dropout(p, random.Next()), shape, 0);
        }

        if (ConvPattern().Match(token) is { Success: true } conv)
        {
            RequireImage(shape, where);
            int outputs = Number(conv, "o"), kernel = Number(conv, "k");
            int stride = Number(conv, "s", 1), padding = Number(conv, "p", 0), dilation = Number(conv, "d", 1), groups = Number(conv, "g", 1);
            long height = OutputSize(shape[1], kernel, stride, padding, dilation), width = OutputSize(shape[2], kernel, stride, padding, dilation);
            if (height < 1 || width < 1) throw new ArgumentException($"{where}: a {kernel}×{kernel} kernel does not fit the {shape[1]}×{shape[2]} input");
            if (groups < 1 || shape[0] % groups != 0 || outputs % groups != 0)
                throw new ArgumentException($"{where}: {groups} groups must divide the {shape[0]} input and {outputs} output channels");
            int[] next = Checked([outputs, height, width], where);
            // O·(C/G)·K² weights plus O biases.
            long values = Multiply(Multiply(Multiply(outputs, shape[0] / groups), kernel), kernel);
            values = values > MaxStateElements ? values : values + outputs;
            int inputs = shape[0];
            return ((random, dtype) => new Conv2d(inputs, outputs, kernel, random, stride, padding, dilation, groups, dtype: dtype), next, values);
        }

        if (PoolPattern().Match(token) is { Success: true } pool)
        {
            RequireImage(shape, where);
            int kernel = Number(pool, "k"), stride = Number(pool, "s", kernel);
            long height = OutputSize(shape[1], kernel, stride, 0, 1), width = OutputSize(shape[2], kernel, stride, 0, 1);
            if (height < 1 || width < 1) throw new ArgumentException($"{where}: a {kernel}×{kernel} window does not fit the {shape[1]}×{shape[2]} input");
            bool average = pool.Groups["kind"].Value == "avg";
            return ((_, _) => average ? new AvgPool2d(kernel, stride) : new MaxPool2d(kernel, stride), Checked([shape[0], height, width], where), 0);
        }

        if (LinearPattern().Match(token) is { Success: true } linear)
        {
            if (shape.Length != 1)
                throw new ArgumentException($"{where}: a linear layer needs features, but the input is {string.Join("×", shape)} (add 'flatten' or 'gap' before it)");
            int outputs = Number(linear, "n");
            int inputs = shape[0];
            // O·I weights plus O biases.
            long values = Multiply(outputs, inputs);
            values = values > MaxStateElements ? values : values + outputs;
            return ((random, dtype) => new Linear(inputs, outputs, random, dtype: dtype), Checked([outputs], where), values);
        }

        throw new ArgumentException(
            $"{where}: unknown layer (expected conv<O>k<K>[s<S>][p<P>][d<D>][g<G>], pool<K>[s<S>], avgpool<K>[s<S>], gap, flatten, fc<N>, bn, dropout<p>, relu, tanh, sigmoid, leakyrelu, elu, silu, softplus or gelu)");
    }

    private static void RequireImage(int[] shape, string where)
    {
        if (shape.Length != 3) throw new ArgumentException($"{where}: needs (C, H, W) images, but the input is {shape[0]} features");
    }

    /// <summary>The shape as ints, once its element count is known to be at most <see cref="MaxExampleElements"/>.</summary>
    private static int[] Checked(long[] shape, string where)
    {
        if (shape.Aggregate(1L, Multiply) > MaxExampleElements)
            throw new ArgumentException($"{where}: the output of one example, {string.Join("×", shape)}, would hold more than {MaxExampleElements} values");
        return Array.ConvertAll(shape, d => (int)d);
    }

    // The layers' own formula, in longs (Conv2dGeometry): sizes are planned before anything is built.
    private static long OutputSize(long size, long kernel, long stride, long padding, long dilation) =>
        Kernels.Convolution.Conv2dGeometry.OutputSize(size, kernel, stride, padding, dilation);

    /// <summary>a·b for non-negative a and b, saturating at long.MaxValue.</summary>
    private static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static int Number(Match match, string group, int? fallback = null)
    {
        var g = match.Groups[group];
        if (!g.Success) return fallback ?? throw new InvalidOperationException($"group {group} is required by the pattern");
        // Padding may be 0; every other size is at least 1.
        int minimum = group == "p" ? 0 : 1;
        if (!int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new ArgumentException($"architecture: '{match.Value}': {g.Value} is not a valid size (at least {minimum})");
        return value;
    }

    [GeneratedRegex(@"^conv(?<o>\d+)k(?<k>\d+)(?:s(?<s>\d+))?(?:p(?<p>\d+))?(?:d(?<d>\d+))?(?:g(?<g>\d+))?$")]
    private static partial Regex ConvPattern();

    [GeneratedRegex(@"^(?<kind>max|avg)?pool(?<k>\d+)(?:s(?<s>\d+))?$")]
    private static partial Regex PoolPattern();

    [GeneratedRegex(@"^dropout(?<p>[0-9.]+)$")]
    private static partial Regex DropoutPattern();

    [GeneratedRegex(@"^(?:fc|linear)(?<n>\d+)$")]
    private static partial Regex LinearPattern();
}
