using Nabla.Kernels.Convolution;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using static Nabla.Serialization.Onnx.OnnxAttribute;

namespace Nabla.Serialization.Onnx;

public static partial class OnnxExporter
{
    /// <summary>Appends the nodes computing <paramref name="module"/> (at dotted <paramref name="path"/>) on the value
    /// <paramref name="x"/>, whose per-example shape is <paramref name="shape"/>; returns the output value and its
    /// per-example shape. The shape is followed through every layer so that a misfit is reported here, naming the
    /// layer, rather than by the runtime that loads the file.</summary>
    private static (string Value, int[] Shape) Add(OnnxGraph g, string path, Module module, string x, int[] shape)
    {
        switch (module)
        {
            case Mlp mlp:
                Require(shape.Length == 1 && shape[0] == mlp.Spec.Inputs, path, module, $"({mlp.Spec.Inputs})", shape);
                return Children(g, path, module, x, shape);
            case Sequential:
                return Children(g, path, module, x, shape);
            case Linear linear:
                return Linear(g, path, linear, x, shape);
            case Conv2d conv:
                return Conv(g, path, conv, x, shape);
            case MaxPool2d pool:
                return Pool(g, path, pool, "MaxPool", pool.KernelSize, pool.Stride, pool.Padding, x, shape);
            case AvgPool2d pool:
                return Pool(g, path, pool, "AveragePool", pool.KernelSize, pool.Stride, pool.Padding, x, shape);
            case GlobalAvgPool2d:
                RequireImage(path, module, shape);
                // GlobalAveragePool keeps (N, C, 1, 1); Nabla's layer gives (N, C).
                return (g.Node(path, "Flatten", [g.Node(path, "GlobalAveragePool", [x])], Of("axis", 1L)), [shape[0]]);
            case Flatten:
                return (g.Node(path, "Flatten", [x], Of("axis", 1L)), [shape.Aggregate(1, (a, b) => a * b)]);
            case Unflatten unflatten:
                return Unflatten(g, path, unflatten, x, shape);
            case BatchNorm bn:
                return BatchNormalization(g, path, bn, x, shape);
            case LayerNorm ln:
                Require(shape[^1] == ln.Features, path, module, $"(…, {ln.Features})", shape);
                return (g.Node(path, "LayerNormalization", [x, g.Weight(Join(path, "weight"), ln.Weight), g.Weight(Join(path, "bias"), ln.Bias)],
                    Of("axis", -1L), Of("epsilon", (float)ln.Epsilon)), shape);
            case Dropout:
                return (x, shape);   // the identity in evaluation mode
            case Embedding embedding:
                return Embedding(g, path, embedding, x, shape);
            case Relu:
                return (g.Node(path, "Relu", [x]), shape);
            case Tanh:
                return (g.Node(path, "Tanh", [x]), shape);
            case Sigmoid:
                return (g.Node(path, "Sigmoid", [x]), shape);
            case LeakyRelu leaky:
                return (g.Node(path, "LeakyRelu", [x], Of("alpha", (float)leaky.Slope)), shape);
            case Elu:
                return (g.Node(path, "Elu", [x], Of("alpha", 1f)), shape);
            case Softplus:
                return (g.Node(path, "Softplus", [x]), shape);
            case Silu:
                return (g.Node(path, "Mul", [x, g.Node(path, "Sigmoid", [x])]), shape);   // x·σ(x)
            case Gelu:
                return (ExactGelu(g, path, x), shape);
            case Softmax:
                return (g.Node(path, "Softmax", [x], Of("axis", -1L)), shape);
            default:
                throw new NotSupportedException(
                    $"ONNX export: {Where(path, module)} ({module.GetType().FullName}) has no ONNX mapping");
        }
    }

    private static (string, int[]) Children(OnnxGraph g, string path, Module module, string x, int[] shape)
    {
        foreach (var (name, child) in module.NamedChildren()) (x, shape) = Add(g, Join(path, name), child, x, shape);
        return (x, shape);
    }

    /// <summary>a = x Wᵀ + b. Gemm takes matrices only, so inputs of higher rank (N, …, I) use MatMul with a transposed
    /// copy of W, then Add.</summary>
    private static (string, int[]) Linear(OnnxGraph g, string path, Linear linear, string x, int[] shape)
    {
        Require(shape[^1] == linear.InFeatures, path, linear, $"(…, {linear.InFeatures})", shape);
        int[] output = [.. shape[..^1], linear.OutFeatures];
        if (shape.Length == 1)
        {
            string[] inputs = linear.Bias is null
                ? [x, g.Weight(Join(path, "weight"), linear.Weight)]
                : [x, g.Weight(Join(path, "weight"), linear.Weight), g.Weight(Join(path, "bias"), linear.Bias)];
            return (g.Node(path, "Gemm", inputs, Of("transB", 1L)), output);
        }

        Tensors.Tensor transposed;
        using (Autograd.GradMode.NoGrad()) transposed = linear.Weight.T;   // (I, O)
        var product = g.Node(path, "MatMul", [x, g.Weight(Join(path, "weight_transposed"), transposed)]);   // (N, …, O)
        return (linear.Bias is null ? product : g.Node(path, "Add", [product, g.Weight(Join(path, "bias"), linear.Bias)]), output);
    }

    private static (string, int[]) Conv(OnnxGraph g, string path, Conv2d conv, string x, int[] shape)
    {
        RequireImage(path, conv, shape);
        Require(shape[0] == conv.InChannels, path, conv, $"({conv.InChannels}, H, W)", shape);
        int height = Conv2dGeometry.OutputSize(shape[1], conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation);
        int width = Conv2dGeometry.OutputSize(shape[2], conv.KernelSize, conv.Stride, conv.Padding, conv.Dilation);
        Require(height >= 1 && width >= 1, path, conv, "an image the kernel fits in", shape);
        var weight = g.Weight(Join(path, "weight"), conv.Weight);
        string[] inputs = conv.Bias is null ? [x, weight] : [x, weight, g.Weight(Join(path, "bias"), conv.Bias)];
        var y = g.Node(path, "Conv", inputs,
            Of("kernel_shape", conv.KernelSize, conv.KernelSize),
            Of("strides", conv.Stride, conv.Stride),
            Of("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding),
            Of("dilations", conv.Dilation, conv.Dilation),
            Of("group", (long)conv.Groups));
        return (y, [conv.OutChannels, height, width]);
    }

    /// <summary>MaxPool or AveragePool with Nabla's semantics: floor rounding (ceil_mode 0); for averages the padding
    /// counts as zeros (count_include_pad 1); for maxima it never wins, as ONNX's MaxPool pads.</summary>
    private static (string, int[]) Pool(OnnxGraph g, string path, Module pool, string opType, int kernel, int stride, int padding, string x, int[] shape)
    {
        RequireImage(path, pool, shape);
        int height = Conv2dGeometry.OutputSize(shape[1], kernel, stride, padding, 1), width = Conv2dGeometry.OutputSize(shape[2], kernel, stride, padding, 1);
        Require(height >= 1 && width >= 1, path, pool, "an image the window fits in", shape);
        var attributes = new List<OnnxAttribute>
        {
            Of("kernel_shape", kernel, kernel),
            Of("strides", stride, stride),
            Of("pads", padding, padding, padding, padding),
        };
        if (opType == "AveragePool") attributes.Add(Of("count_include_pad", 1L));
        return (g.Node(path, opType, [x], [.. attributes]), [shape[0], height, width]);
    }

    /// <summary>Reshape to (N, …shape); the 0 copies the batch size from the input.</summary>
    private static (string, int[]) Unflatten(OnnxGraph g, string path, Unflatten unflatten, string x, int[] shape)
    {
        int features = unflatten.ExampleShape.Aggregate(1, (a, b) => a * b);
        Require(shape.Length == 1 && shape[0] == features, path, unflatten, $"({features})", shape);
        var target = g.Int64s(Join(path, "shape"), [0, .. unflatten.ExampleShape.Select(d => (long)d)]);
        return (g.Node(path, "Reshape", [x, target]), [.. unflatten.ExampleShape]);
    }

    /// <summary>y = γ·(x − μ_run)/√(σ²_run + ε) + β over channel axis 1, from the running statistics (evaluation mode).</summary>
    private static (string, int[]) BatchNormalization(OnnxGraph g, string path, BatchNorm bn, string x, int[] shape)
    {
        Require(shape.Length == bn.Rank - 1 && shape[0] == bn.Channels, path, bn, bn.Rank == 2 ? $"({bn.Channels})" : $"({bn.Channels}, H, W)", shape);
        string[] inputs =
        [
            x,
            g.Weight(Join(path, "weight"), bn.Weight),
            g.Weight(Join(path, "bias"), bn.Bias),
            g.Weight(Join(path, "running_mean"), bn.RunningMean),
            g.Weight(Join(path, "running_var"), bn.RunningVariance),
        ];
        return (g.Node(path, "BatchNormalization", inputs, Of("epsilon", (float)bn.Epsilon)), shape);
    }

    /// <summary>Nabla takes indices as whole-number floats; Gather needs integers, so they are cast to int64 first.</summary>
    private static (string, int[]) Embedding(OnnxGraph g, string path, Embedding embedding, string x, int[] shape)
    {
        var indices = g.Node(path, "Cast", [x], Of("to", (long)OnnxProto.DataType.Int64));
        var y = g.Node(path, "Gather", [g.Weight(Join(path, "weight"), embedding.Weight), indices], Of("axis", 0L));   // (N, …, D)
        return (y, [.. shape, embedding.Dimension]);
    }

    /// <summary>GELU(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), from Div, Erf, Add and Mul: the Gelu operator needs opset 20.</summary>
    private static string ExactGelu(OnnxGraph g, string path, string x)
    {
        var erf = g.Node(path, "Erf", [g.Node(path, "Div", [x, g.Scalar(Join(path, "sqrt2"), MathF.Sqrt(2))])]);
        var phi2 = g.Node(path, "Add", [erf, g.Scalar(Join(path, "one"), 1f)]);   // 2Φ(x)
        return g.Node(path, "Mul", [g.Node(path, "Mul", [x, phi2]), g.Scalar(Join(path, "half"), 0.5f)]);
    }

    private static void RequireImage(string path, Module module, int[] shape) =>
        Require(shape.Length == 3, path, module, "(C, H, W) images", shape);

    private static void Require(bool condition, string path, Module module, string expected, int[] shape)
    {
        if (!condition)
            throw new ArgumentException($"ONNX export: {Where(path, module)} expects examples of shape {expected}, but its input is ({string.Join(", ", shape)})");
    }

    private static string Where(string path, Module module) => path.Length == 0 ? module.Describe() : $"layer '{path}' {module.Describe()}";

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
