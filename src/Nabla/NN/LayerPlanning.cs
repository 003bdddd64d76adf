using System.Globalization;
using System.Text.RegularExpressions;

namespace Nabla.NN;

/// <summary>What a layer's architecture word plans with: the shape of one example before the layer, and checks that
/// name the layer, its position and the shapes in their messages.</summary>
internal sealed class LayerPlanning(int[] shape, string where)
{
    /// <summary>The shape of one example before the layer: (C, H, W) or (F).</summary>
    public int[] Shape => shape;

    /// <summary>An error about this layer, e.g. "architecture 'fc10-bn', layer 2 'bn': …".</summary>
    public ArgumentException Error(string message) => new($"{where}: {message}");

    /// <summary>Throws unless the examples are (C, H, W) images.</summary>
    public void RequireImage()
    {
        if (shape.Length != 3) throw Error($"needs (C, H, W) images, but the input is {shape[0]} features");
    }

    /// <summary>The output shape as ints, once its element count is known to be at most
    /// <see cref="Architecture.MaxExampleElements"/>.</summary>
    public int[] Checked(params long[] output)
    {
        if (output.Aggregate(1L, Multiply) > Architecture.MaxExampleElements)
            throw Error($"the output of one example, {string.Join("×", output)}, would hold more than {Architecture.MaxExampleElements} values");
        return Array.ConvertAll(output, d => (int)d);
    }

    /// <summary>a·b for non-negative a and b, saturating at long.MaxValue: sizes are planned before anything is built.</summary>
    public static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    /// <summary>The layers' own output-size formula (Conv2dGeometry), in longs.</summary>
    public static long OutputSize(long size, long kernel, long stride, long padding, long dilation) =>
        Kernels.Convolution.Conv2dGeometry.OutputSize(size, kernel, stride, padding, dilation);

    /// <summary>The size in <paramref name="group"/> of the match, or <paramref name="fallback"/> when the group is
    /// absent. Padding (<c>p</c>) may be 0; every other size is at least 1.</summary>
    public static int Number(Match match, string group, int? fallback = null)
    {
        var g = match.Groups[group];
        if (!g.Success) return fallback ?? throw new InvalidOperationException($"group {group} is required by the pattern");
        int minimum = group == "p" ? 0 : 1;
        if (!int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new ArgumentException($"architecture: '{match.Value}': {g.Value} is not a valid size (at least {minimum})");
        return value;
    }
}
