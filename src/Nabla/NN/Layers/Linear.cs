using Nabla.Autograd.Functions;
using Nabla.Initialization;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.LayerPlanning;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>A fully connected layer, the lecture's pre-activation a = b + W h.</summary>
/// <remarks>
/// Shapes: input h (B, I), weight W (O, I), bias b (O), output a (B, O); in batch form a = h Wᵀ + b.
/// Parameters: O·I weights plus O biases. W is stored (out, in), as in PyTorch, so state-dict names and shapes match.
/// Default initialisation is PyTorch's: W and b drawn from U(−1/√I, 1/√I).
/// </remarks>
public sealed class Linear : Module
{
    /// <summary>The architecture word <c>fc&lt;N&gt;</c> (or <c>linear&lt;N&gt;</c>): a linear layer to N features from the
    /// features before it, holding O·I weights and O biases.</summary>
    internal static ArchitectureToken ArchitectureWord { get; } = new("fc<N>", @"^(?:fc|linear)(?<n>\d+)$", (match, layer) =>
    {
        if (layer.Shape.Length != 1)
            throw layer.Error($"a linear layer needs features, but the input is {string.Join("×", layer.Shape)} (add 'flatten' or 'gap' before it)");
        int outputs = Number(match, "n"), inputs = layer.Shape[0];
        long values = Multiply(outputs, inputs);
        values = values > Architecture.MaxStateElements ? values : values + outputs;
        return new LayerPlan((random, dtype, init) => new Linear(inputs, outputs, random, dtype: dtype, init: init), layer.Checked(outputs), values);
    });

    private readonly Initializer _init;

    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialised from
    /// <paramref name="random"/>, or without one from this thread's default generator (seeded 0); a model's
    /// <see cref="Module.ResetParameters"/> draws it again from the model's seed.</summary>
    public Linear(int inFeatures, int outFeatures, Random? random = null, bool bias = true, DType dtype = DType.Float32, Initializer? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        random ??= DefaultGenerator.ForThisThread;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _init = init ?? Initializer.Default;
        Weight = RegisterParameter("weight", NewWeight(random, dtype));
        if (bias) Bias = RegisterParameter("bias", NewBias(random, dtype));
    }

    /// <summary>W from the initialiser, with fan-in I and fan-out O.</summary>
    private Tensor NewWeight(Random random, DType dtype) => _init.Create([OutFeatures, InFeatures], InFeatures, OutFeatures, random, dtype);

    /// <summary>b: zeros, or U(−1/√I, 1/√I) as PyTorch's default.</summary>
    private Tensor NewBias(Random random, DType dtype)
    {
        double bound = 1.0 / Math.Sqrt(InFeatures);
        return _init.IsZeroBiasDefault ? Tensor.Zeros([OutFeatures], dtype) : Tensor.Uniform([OutFeatures], -bound, bound, random, dtype);
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random)
    {
        Weight.CopyFrom(NewWeight(random, Weight.DType));
        Bias?.CopyFrom(NewBias(random, Bias.DType));
    }

    /// <summary>I, the input width.</summary>
    public int InFeatures { get; }

    /// <summary>O, the output width.</summary>
    public int OutFeatures { get; }

    /// <summary>W (O, I).</summary>
    public Tensor Weight { get; }

    /// <summary>b (O), or null for a layer without bias.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape, input.DType);
        if (input.Rank == 2 && input.DType == Weight.DType)
            return LinearFunction.Apply(input, Weight, Bias);   // (B, O) = h Wᵀ + b, the bias in the GEMM's epilogue
        var a = input.MatMulTransposed(Weight);   // batched inputs (…, B, I): h Wᵀ
        return Bias is null ? a : a + Bias;        // + b broadcast over B
    }

    /// <summary>Throws, naming the layer and the shape, unless an input of this shape and dtype fits: (…, I) in the
    /// weights' dtype.</summary>
    internal void CheckInput(Shape shape, DType dtype)
    {
        if (shape.Rank < 1 || shape[-1] != InFeatures)
            throw new ArgumentException($"{Describe()} expects input (B, {InFeatures}), got shape {shape}");
        if (dtype != Weight.DType)
            throw new ArgumentException($"{Describe()} is {Weight.DType.Name()}, the input {shape} is {dtype.Name()}");
    }

    /// <inheritdoc/>
    public override string Describe() => $"Linear({InFeatures} → {OutFeatures})";

    /// <summary>ONNX: Gemm (transB = 1) on (N, I) inputs. Gemm takes matrices only, so inputs of higher rank (N, …, I)
    /// use MatMul with a transposed copy of W, then Add.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        var shape = x.Shape;
        OnnxEmitter.Require(shape[^1] == InFeatures, path, this, $"(…, {InFeatures})", shape);
        int[] output = [.. shape[..^1], OutFeatures];
        if (shape.Length == 1)
        {
            string[] inputs = Bias is null
                ? [x.Name, onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight)]
                : [x.Name, onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight), onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias)];
            return new(onnx.Node(path, "Gemm", inputs, Of("transB", 1L)), output);
        }

        Tensor transposed;
        using (Autograd.GradMode.NoGrad()) transposed = Weight.T;   // (I, O)
        var product = onnx.Node(path, "MatMul", [x.Name, onnx.Weight(OnnxEmitter.Join(path, "weight_transposed"), transposed)]);   // (N, …, O)
        return new(Bias is null ? product : onnx.Node(path, "Add", [product, onnx.Weight(OnnxEmitter.Join(path, "bias"), Bias)]), output);
    }
}
