using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.LayerPlanning;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>What max and average pooling share: K×K windows over (N, C, H, W), a stride S (K by default) and a padding
/// P ≤ K/2, the input checks and the description. No parameters; a subclass says how a window becomes one value.</summary>
public abstract class Pool2d : Module
{
    /// <summary>Plans a pooling layer from a <c>…pool&lt;K&gt;[s&lt;S&gt;]</c> word: K×K windows over the images before it,
    /// stride S (K).</summary>
    private protected static LayerPlan PlanPool(System.Text.RegularExpressions.Match match, LayerPlanning layer, Func<int, int, Module> create)
    {
        layer.RequireImage();
        var shape = layer.Shape;
        int kernel = Number(match, "k"), stride = Number(match, "s", kernel);
        long height = OutputSize(shape[1], kernel, stride, 0, 1), width = OutputSize(shape[2], kernel, stride, 0, 1);
        if (height < 1 || width < 1) throw layer.Error($"a {kernel}×{kernel} window does not fit the {shape[1]}×{shape[2]} input");
        return new LayerPlan((_, _, _) => create(kernel, stride), layer.Checked(shape[0], height, width), 0);
    }

    /// <summary>A pooling layer with window <paramref name="kernelSize"/>, <paramref name="stride"/> (K when null) and
    /// <paramref name="padding"/>.</summary>
    private protected Pool2d(int kernelSize, int? stride, int padding)
    {
        KernelSize = kernelSize >= 1 ? kernelSize : throw new ArgumentOutOfRangeException(nameof(kernelSize), "kernel size must be at least 1");
        Stride = (stride ?? kernelSize) >= 1 ? stride ?? kernelSize : throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be at least 1, not {stride}");
        Padding = padding >= 0 && 2 * padding <= kernelSize
            ? padding
            : throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be in [0, {kernelSize / 2}] (at most half the kernel), not {padding}");
    }

    /// <summary>K.</summary>
    public int KernelSize { get; }

    /// <summary>S.</summary>
    public int Stride { get; }

    /// <summary>P.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape);
        return Pool(input);
    }

    /// <summary>The pooled (N, C, OH, OW) of a checked input.</summary>
    private protected abstract Tensor Pool(Tensor input);

    /// <summary>The layer's name in descriptions: "MaxPool2d", "AvgPool2d".</summary>
    private protected abstract string Name { get; }

    /// <summary>Throws, naming the layer and the shape, unless the input is (N, C, H, W) with images large enough
    /// for the window.</summary>
    internal void CheckInput(Shape shape)
    {
        if (shape.Rank != 4) throw new ArgumentException($"{Describe()} expects input (N, C, H, W), got shape {shape}");
        if (shape[2] + (2 * Padding) < KernelSize || shape[3] + (2 * Padding) < KernelSize)
            throw new ArgumentException($"{Describe()}: its {KernelSize}×{KernelSize} window does not fit the {shape[2]}×{shape[3]} images of input {shape}");
    }

    /// <inheritdoc/>
    public override string Describe() => Stride == KernelSize && Padding == 0 ? $"{Name}({KernelSize})" : $"{Name}({KernelSize}, stride {Stride}, padding {Padding})";

    /// <summary>ONNX: MaxPool or AveragePool (<paramref name="opType"/>) with Nabla's semantics: floor rounding
    /// (ceil_mode 0); for averages the padding counts as zeros (count_include_pad 1); for maxima it never wins, as ONNX's
    /// MaxPool pads.</summary>
    private protected OnnxValue EmitPool(OnnxEmitter onnx, string path, OnnxValue x, string opType)
    {
        var shape = x.Shape;
        OnnxEmitter.RequireImage(path, this, shape);
        int height = Kernels.Convolution.Conv2dGeometry.OutputSize(shape[1], KernelSize, Stride, Padding, 1);
        int width = Kernels.Convolution.Conv2dGeometry.OutputSize(shape[2], KernelSize, Stride, Padding, 1);
        OnnxEmitter.Require(height >= 1 && width >= 1, path, this, "an image the window fits in", shape);
        var attributes = new List<OnnxAttribute>
        {
            Of("kernel_shape", KernelSize, KernelSize),
            Of("strides", Stride, Stride),
            Of("pads", Padding, Padding, Padding, Padding),
        };
        if (opType == "AveragePool") attributes.Add(Of("count_include_pad", 1L));
        return new(onnx.Node(path, opType, [x.Name], [.. attributes]), [shape[0], height, width]);
    }
}
