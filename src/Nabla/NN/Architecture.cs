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
    /// <summary>Builds the network described by <paramref name="description"/> for examples of
    /// <paramref name="exampleShape"/>: (C, H, W) images or (F) feature rows. With <paramref name="flatInput"/>, the
    /// network takes images as flat rows of C·H·W values (as the datasets give them) and starts by unflattening them.</summary>
    /// <returns>The network and the shape of one example's output.</returns>
    /// <exception cref="ArgumentException">A layer is unknown or malformed, or does not fit the shape before it; the
    /// message names the layer, its position and the shapes.</exception>
    public static (Sequential Model, int[] OutputShape) Build(string description, IReadOnlyList<int> exampleShape, Random random, bool flatInput = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentNullException.ThrowIfNull(random);
        if (exampleShape.Count is not (1 or 3) || exampleShape.Any(d => d < 1))
            throw new ArgumentException($"architecture: the example shape must be (C, H, W) or (F) with positive sizes, got ({string.Join(", ", exampleShape)})");
        var tokens = description.Split('-', StringSplitOptions.TrimEntries);
        if (tokens.Length == 0 || tokens.Any(t => t.Length == 0))
            throw new ArgumentException($"architecture '{description}': layers must be separated by single '-' (an empty layer is not allowed)");

        var model = new Sequential();
        int[] shape = [.. exampleShape];
        if (flatInput && shape.Length == 3) model.Add(new Unflatten(shape));
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i].ToLowerInvariant();
            string where = $"architecture '{description}', layer {i + 1} '{tokens[i]}'";
            var (layer, next) = Layer(token, shape, random, dtype, where);
            model.Add(layer);
            shape = next;
        }

        return (model, shape);
    }

    private static (Module Layer, int[] Shape) Layer(string token, int[] shape, Random random, DType dtype, string where)
    {
        switch (token)
        {
            case "relu": return (new Relu(), shape);
            case "tanh": return (new Tanh(), shape);
            case "sigmoid": return (new Sigmoid(), shape);
            case "leakyrelu" or "leaky-relu": return (new LeakyRelu(), shape);
            case "elu": return (new Elu(), shape);
            case "silu" or "swish": return (new Silu(), shape);
            case "softplus": return (new Softplus(), shape);
            case "gelu": return (new Gelu(), shape);
            case "flatten":
                RequireImage(shape, where);
                return (new Layers.Flatten(), [shape[0] * shape[1] * shape[2]]);
            case "gap":
                RequireImage(shape, where);
                return (new GlobalAvgPool2d(), [shape[0]]);
        }

        if (token == "bn")
            return (shape.Length == 3 ? new BatchNorm2d(shape[0], dtype: dtype) : new BatchNorm1d(shape[0], dtype: dtype), shape);

        if (DropoutPattern().Match(token) is { Success: true } dropout)
        {
            if (!double.TryParse(dropout.Groups["p"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p >= 0 && p < 1))
                throw new ArgumentException($"{where}: the dropout probability must be in [0, 1)");
            return (new Dropout(p, random.Next()), shape);
        }

        if (ConvPattern().Match(token) is { Success: true } conv)
        {
            RequireImage(shape, where);
            int outputs = Number(conv, "o"), kernel = Number(conv, "k");
            int stride = Number(conv, "s", 1), padding = Number(conv, "p", 0), dilation = Number(conv, "d", 1), groups = Number(conv, "g", 1);
            int height = OutputSize(shape[1], kernel, stride, padding, dilation), width = OutputSize(shape[2], kernel, stride, padding, dilation);
            if (height < 1 || width < 1) throw new ArgumentException($"{where}: a {kernel}×{kernel} kernel does not fit the {shape[1]}×{shape[2]} input");
            if (groups < 1 || shape[0] % groups != 0 || outputs % groups != 0)
                throw new ArgumentException($"{where}: {groups} groups must divide the {shape[0]} input and {outputs} output channels");
            return (new Conv2d(shape[0], outputs, kernel, random, stride, padding, dilation, groups, dtype: dtype), [outputs, height, width]);
        }

        if (PoolPattern().Match(token) is { Success: true } pool)
        {
            RequireImage(shape, where);
            int kernel = Number(pool, "k"), stride = Number(pool, "s", kernel);
            int height = OutputSize(shape[1], kernel, stride, 0, 1), width = OutputSize(shape[2], kernel, stride, 0, 1);
            if (height < 1 || width < 1) throw new ArgumentException($"{where}: a {kernel}×{kernel} window does not fit the {shape[1]}×{shape[2]} input");
            Module layer = pool.Groups["kind"].Value == "avg" ? new AvgPool2d(kernel, stride) : new MaxPool2d(kernel, stride);
            return (layer, [shape[0], height, width]);
        }

        if (LinearPattern().Match(token) is { Success: true } linear)
        {
            if (shape.Length != 1)
                throw new ArgumentException($"{where}: a linear layer needs features, but the input is {string.Join("×", shape)} (add 'flatten' or 'gap' before it)");
            int outputs = Number(linear, "n");
            return (new Linear(shape[0], outputs, random, dtype: dtype), [outputs]);
        }

        throw new ArgumentException(
            $"{where}: unknown layer (expected conv<O>k<K>[s<S>][p<P>][d<D>][g<G>], pool<K>[s<S>], avgpool<K>[s<S>], gap, flatten, fc<N>, bn, dropout<p>, relu, tanh, sigmoid, leakyrelu, elu, silu, softplus or gelu)");
    }

    private static void RequireImage(int[] shape, string where)
    {
        if (shape.Length != 3) throw new ArgumentException($"{where}: needs (C, H, W) images, but the input is {shape[0]} features");
    }

    // Floored: a window wider than the padded input gives no output (truncating division would give one).
    private static int OutputSize(int size, int kernel, int stride, int padding, int dilation)
    {
        int span = size + (2 * padding) - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }

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
