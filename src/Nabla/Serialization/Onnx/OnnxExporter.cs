using Nabla.Data;
using Nabla.NN.Onnx;
using Nabla.NN;

namespace Nabla.Serialization.Onnx;

/// <summary>Writes a network as an ONNX model (a protobuf <c>ModelProto</c>) that ONNX Runtime and other ONNX tools can
/// run: opset 17 of the default domain, IR version 8, producer "Nabla".</summary>
/// <remarks>
/// <para>The graph has one input <c>input</c>, float32 of shape (batch, …inputShape) with <c>batch</c> a symbolic
/// dimension, and one output <c>logits</c>, float32 of shape (batch, …outputShape). Parameters and buffers become
/// initializers (raw little-endian data) named as in the state dict (<c>layers.0.weight</c>); nodes are named after the
/// module they come from (<c>layers.0/Gemm</c>).</para>
/// <para>The graph always computes evaluation-mode semantics: dropout is left out, batch normalisation uses the running
/// statistics. The model's own <see cref="Module.IsTraining"/> is neither read nor changed.</para>
/// <para>Float64 models are exported as float32 (weights and buffers rounded), because ONNX Runtime's CPU kernels for
/// several of the operators used (Conv, AveragePool, GlobalAveragePool, Elu, Erf) exist for float32 only.</para>
/// <para>Layers and the operators they map to: Linear → Gemm (transB = 1) on (N, I) inputs, MatMul + Add on higher
/// ranks; Conv2d → Conv; MaxPool2d → MaxPool; AvgPool2d → AveragePool (count_include_pad = 1); GlobalAvgPool2d →
/// GlobalAveragePool + Flatten; Flatten → Flatten; Unflatten → Reshape; BatchNorm1d/2d → BatchNormalization;
/// LayerNorm → LayerNormalization; Dropout → nothing; Embedding → Cast (to int64) + Gather; ReLU, tanh, sigmoid,
/// leaky ReLU, ELU, softplus and softmax → the operators of those names; SiLU → Sigmoid + Mul; GELU (exact) →
/// 0.5·x·(1 + Erf(x/√2)). Sequential and Mlp are walked into. Each layer writes its own nodes, beside its math
/// (<c>EmitOnnx</c> in its file).</para>
/// </remarks>
public static partial class OnnxExporter
{
    /// <summary>The opset version of the default ONNX domain the model imports.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written (8, as of ONNX 1.10).</summary>
    public const int IrVersion = 8;

    /// <summary>The name of the graph input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph output.</summary>
    public const string OutputName = "logits";

    /// <summary>The producer name written into the model.</summary>
    public const string ProducerName = "Nabla";

    /// <summary>Exports <paramref name="model"/> to the file <paramref name="path"/>, written atomically (a temporary
    /// file renamed over the target): a failed export leaves an existing file untouched.</summary>
    /// <param name="model">The network: a <see cref="Sequential"/>, an <see cref="Mlp"/> or a single supported layer.</param>
    /// <param name="inputShape">The shape of one example as <see cref="Module.Forward"/> takes it, without the batch
    /// axis: (784) for a flat row, (1, 28, 28) for an image.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <returns>The input and output shapes and the size of the graph written.</returns>
    /// <exception cref="NotSupportedException">A module has no ONNX mapping; the message names it and where it is.</exception>
    /// <exception cref="ArgumentException">The input shape is empty or not positive, or does not fit a layer.</exception>
    /// <param name="options">Preprocessing put in front of the network and metadata; null for none.</param>
    public static OnnxExportSummary Export(Module model, IReadOnlyList<int> inputShape, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var graph = Build(model, inputShape, options);   // every check happens before the file is touched
        AtomicFile.Write(path, stream => Write(graph, model, options, stream));
        return graph.Summary();
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="stream"/> (left open); see
    /// <see cref="Export(Module, IReadOnlyList{int}, string, OnnxExportOptions?)"/>.</summary>
    /// <returns>The input and output shapes and the size of the graph written.</returns>
    /// <exception cref="NotSupportedException">A module has no ONNX mapping; the message names it and where it is.</exception>
    /// <exception cref="ArgumentException">The input shape is empty or not positive, or does not fit a layer.</exception>
    /// <param name="model">The network, as for the file overload.</param>
    /// <param name="inputShape">The shape of one example, without the batch axis.</param>
    /// <param name="stream">Where the model's bytes go.</param>
    /// <param name="options">Preprocessing put in front of the network and metadata; null for none.</param>
    public static OnnxExportSummary Export(Module model, IReadOnlyList<int> inputShape, Stream stream, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var graph = Build(model, inputShape, options);
        Write(graph, model, options, stream);
        return graph.Summary();
    }

    private static OnnxGraph Build(Module model, IReadOnlyList<int> inputShape, OnnxExportOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count == 0 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"ONNX export: the example shape ({string.Join(", ", inputShape)}) must have at least one axis, all sizes positive", nameof(inputShape));
        var graph = new OnnxGraph(InputName, [.. inputShape]);
        string input = options?.Standardization is { } z ? Standardize(graph, z, inputShape) : InputName;
        var output = graph.Emit(model, "", new OnnxValue(input, [.. inputShape]));   // each layer maps itself (Module.EmitOnnx)
        graph.SetOutput(output.Name, OutputName, output.Shape);
        return graph;
    }

    /// <summary>x′ = (x − μ) / σ on flat rows, in float64 as <see cref="Standardization.Apply(Tensors.Tensor)"/> does it:
    /// Cast(x) to double, Sub μ, Div σ, Cast back to float, so the network sees exactly the inputs Nabla gives it.</summary>
    private static string Standardize(OnnxGraph graph, Standardization z, IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count != 1 || inputShape[0] != z.Mean.Length || z.Scale.Length != z.Mean.Length)
            throw new ArgumentException($"ONNX export: the standardisation has {z.Mean.Length} features, the network takes ({string.Join(", ", inputShape)})", nameof(inputShape));
        const string prefix = "standardize";
        string x = graph.Node(prefix, "Cast", [InputName], OnnxAttribute.Of("to", (long)OnnxProto.DataType.Double));   // (N, D) float64
        string centred = graph.Node(prefix, "Sub", [x, graph.Float64s($"{prefix}.mean", z.Mean)]);
        string scaled = graph.Node(prefix, "Div", [centred, graph.Float64s($"{prefix}.scale", z.Scale)]);
        return graph.Node(prefix, "Cast", [scaled], OnnxAttribute.Of("to", (long)OnnxProto.DataType.Float));
    }

    /// <summary>ModelProto: IR version, producer, description, graph, opset import, metadata.</summary>
    private static void Write(OnnxGraph graph, Module model, OnnxExportOptions? options, Stream stream)
    {
        using var w = new ProtoWriter(stream);
        w.Int64(OnnxProto.Model.IrVersion, IrVersion);
        w.String(OnnxProto.Model.ProducerName, ProducerName);
        w.String(OnnxProto.Model.ProducerVersion, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
        w.String(OnnxProto.Model.DocString, model.Describe());
        w.Message(OnnxProto.Model.Graph, g => graph.WriteTo(g, "nabla"));
        w.Message(OnnxProto.Model.OpsetImport, o =>
        {
            o.String(OnnxProto.OperatorSetId.Domain, "");
            o.Int64(OnnxProto.OperatorSetId.Version, OpsetVersion);
        });
        foreach (var (key, value) in (options?.Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.Message(OnnxProto.Model.MetadataProps, entry =>
            {
                entry.String(OnnxProto.StringStringEntry.Key, key);
                entry.String(OnnxProto.StringStringEntry.Value, value);
            });
        }

        w.Flush();
    }
}
