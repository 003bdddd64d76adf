using Nabla.Autograd.Functions;
using Nabla.Initialization;
using Nabla.Kernels.Convolution;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.LayerPlanning;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>A 2-D convolution layer over NCHW batches: y = conv2d(x, W) + b.</summary>
/// <remarks>
/// Shapes: input (N, C, H, W), weight W (O, C/G, K, K), bias b (O), output (N, O, OH, OW) with
/// OH = ⌊(H + 2P − D·(K − 1) − 1) / S⌋ + 1 (and OW alike). Parameters: O·(C/G)·K² weights plus O biases.
/// Default initialisation is PyTorch's: W and b drawn from U(−1/√fan_in, 1/√fan_in), fan_in = (C/G)·K².
/// State-dict names and shapes match PyTorch's <c>nn.Conv2d</c>.
/// </remarks>
public sealed class Conv2d : Module
{
    /// <summary>The architecture word <c>conv&lt;O&gt;k&lt;K&gt;[s&lt;S&gt;][p&lt;P&gt;][d&lt;D&gt;][g&lt;G&gt;]</c>: a convolution
    /// of the images before it to O channels with a K×K kernel, stride S (1), padding P (0), dilation D (1) and G groups
    /// (1), holding O·(C/G)·K² weights and O biases.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("conv<O>k<K>[s<S>][p<P>][d<D>][g<G>]",
        @"^conv(?<o>\d+)k(?<k>\d+)(?:s(?<s>\d+))?(?:p(?<p>\d+))?(?:d(?<d>\d+))?(?:g(?<g>\d+))?$", (match, layer) =>
        {
            layer.RequireImage();
            var shape = layer.Shape;
            int outputs = Number(match, "o"), kernel = Number(match, "k");
            int stride = Number(match, "s", 1), padding = Number(match, "p", 0), dilation = Number(match, "d", 1), groups = Number(match, "g", 1);
            long height = OutputSize(shape[1], kernel, stride, padding, dilation), width = OutputSize(shape[2], kernel, stride, padding, dilation);
            if (height < 1 || width < 1) throw layer.Error($"a {kernel}×{kernel} kernel does not fit the {shape[1]}×{shape[2]} input");
            if (groups < 1 || shape[0] % groups != 0 || outputs % groups != 0)
                throw layer.Error($"{groups} groups must divide the {shape[0]} input and {outputs} output channels");
            int[] next = layer.Checked(outputs, height, width);
            long values = Multiply(Multiply(Multiply(outputs, shape[0] / groups), kernel), kernel);
            values = values > Architecture.MaxStateElements ? values : values + outputs;
            int inputs = shape[0];
            return new LayerPlan((random, dtype, init) => new Conv2d(inputs, outputs, kernel, random, stride, padding, dilation, groups, dtype: dtype, init: init), next, values);
        });

    private readonly Initializer _init;

    /// <summary>A layer from <paramref name="inChannels"/> to <paramref name="outChannels"/> with square
    /// <paramref name="kernelSize"/> windows, initialised from <paramref name="random"/>, or without one from this
    /// thread's default generator (seeded 0); a model's <see cref="Module.ResetParameters"/> draws it again from the
    /// model's seed.</summary>
    public Conv2d(
        int inChannels, int outChannels, int kernelSize, Random? random = null,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
        DType dtype = DType.Float32, Initializer? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        random ??= DefaultGenerator.ForThisThread;
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: {groups} groups must divide both {inChannels} input and {outChannels} output channels", nameof(groups));
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        _init = init ?? Initializer.Default;
        Weight = RegisterParameter("weight", NewWeight(random, dtype));
        if (bias) Bias = RegisterParameter("bias", NewBias(random, dtype));
    }

    private int FanIn => InChannels / Groups * KernelSize * KernelSize;

    /// <summary>W from the initialiser, with fan-in C/G·K² and fan-out O/G·K².</summary>
    private Tensor NewWeight(Random random, DType dtype) =>
        _init.Create([OutChannels, InChannels / Groups, KernelSize, KernelSize], FanIn, OutChannels / Groups * KernelSize * KernelSize, random, dtype);

    /// <summary>b: zeros, or U(−1/√fan-in, 1/√fan-in) as PyTorch's default.</summary>
    private Tensor NewBias(Random random, DType dtype)
    {
        double bound = 1.0 / Math.Sqrt(FanIn);
        return _init.IsZeroBiasDefault ? Tensor.Zeros([OutChannels], dtype) : Tensor.Uniform([OutChannels], -bound, bound, random, dtype);
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random)
    {
        Weight.CopyFrom(NewWeight(random, Weight.DType));
        Bias?.CopyFrom(NewBias(random, Bias.DType));
    }

    /// <summary>C.</summary>
    public int InChannels { get; }

    /// <summary>O.</summary>
    public int OutChannels { get; }

    /// <summary>K, the side of the square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>S.</summary>
    public int Stride { get; }

    /// <summary>P, zeros added on every side.</summary>
    public int Padding { get; }

    /// <summary>D, the spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>G: output channel group g sees input channel group g only.</summary>
    public int Groups { get; }

    /// <summary>W (O, C/G, K, K).</summary>
    public Tensor Weight { get; }

    /// <summary>b (O), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape, input.DType);
        return input.Conv2d(Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <summary>Throws, naming the layer and the shape, unless an input of this shape and dtype fits: (N, C, H, W)
    /// in the weights' dtype, with images large enough for the window.</summary>
    internal void CheckInput(Shape shape, DType dtype)
    {
        if (shape.Rank != 4 || shape[1] != InChannels)
            throw new ArgumentException($"{Describe()} expects input (N, {InChannels}, H, W), got shape {shape}");
        if (dtype != Weight.DType)
            throw new ArgumentException($"{Describe()} is {Weight.DType.Name()}, the input {shape} is {dtype.Name()}");
        int reach = (Dilation * (KernelSize - 1)) + 1;
        if (shape[2] + (2 * Padding) < reach || shape[3] + (2 * Padding) < reach)
            throw new ArgumentException($"{Describe()}: its {reach}×{reach} window does not fit the {shape[2]}×{shape[3]} images of input {shape} (padded by {Padding})");
    }

    /// <inheritdoc/>
    public override string Describe()
    {
        var options = new List<string> { $"kernel {KernelSize}" };
        if (Stride != 1) options.Add($"stride {Stride}");
        if (Padding != 0) options.Add($"padding {Padding}");
        if (Dilation != 1) options.Add($"dilation {Dilation}");
        if (Groups != 1) options.Add($"groups {Groups}");
        return $"Conv2d({InChannels} → {OutChannels}, {string.Join(", ", options)})";
    }

    /// <summary>ONNX: Conv, with the same kernel, strides, pads, dilations and groups.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        var shape = x.Shape;
        OnnxEmitter.RequireImage(path, this, shape);
        OnnxEmitter.Require(shape[0] == InChannels, path, this, $"({InChannels}, H, W)", shape);
        int height = Conv2dGeometry.OutputSize(shape[1], KernelSize, Stride, Padding, Dilation);
        int width = Conv2dGeometry.OutputSize(shape[2], KernelSize, Stride, Padding, Dilation);
        OnnxEmitter.Require(height >= 1 && width >= 1, path, this, "an image the kernel fits in", shape);
        var weight = onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight);
        string[] inputs = Bias is null ? [x.Name, weight] : [x.Name, weight, onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias)];
        var y = onnx.Node(path, "Conv", inputs,
            Of("kernel_shape", KernelSize, KernelSize),
            Of("strides", Stride, Stride),
            Of("pads", Padding, Padding, Padding, Padding),
            Of("dilations", Dilation, Dilation),
            Of("group", (long)Groups));
        return new(y, [OutChannels, height, width]);
    }
}
