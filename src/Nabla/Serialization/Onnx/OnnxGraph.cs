using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.Serialization.Onnx;

/// <summary>An ONNX graph being built: its nodes in execution order, its initializers, and one float32 input and output
/// whose first dimension is the symbolic batch size. Every node and value name is made unique as it is added.</summary>
internal sealed class OnnxGraph(string inputName, IReadOnlyList<int> inputShape) : OnnxEmitter
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxInitializer> _initializers = [];
    private readonly HashSet<string> _values = [inputName];
    private readonly HashSet<string> _nodeNames = [];
    private string? _outputName;
    private IReadOnlyList<int> _outputShape = [];

    /// <summary>The graph input's name.</summary>
    public string InputName => inputName;

    /// <summary>The nodes, in execution order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The initializers, in the order they were added.</summary>
    public IReadOnlyList<OnnxInitializer> Initializers => _initializers;

    /// <summary>Adds a weight under <paramref name="name"/> (suffixed if taken) and returns the name given.</summary>
    public override string Weight(string name, Tensor tensor) => Add(OnnxInitializer.Float32(Unique(name, _values), tensor));

    /// <summary>Adds a float32 scalar constant and returns its name.</summary>
    public override string Scalar(string name, float value) => Add(OnnxInitializer.Float32(Unique(name, _values), [], [value]));

    /// <summary>Adds a 1-D float64 constant and returns its name.</summary>
    public string Float64s(string name, ReadOnlySpan<double> values) => Add(OnnxInitializer.Float64(Unique(name, _values), values));

    /// <summary>Adds a 1-D int64 constant and returns its name.</summary>
    public override string Int64s(string name, params long[] values) => Add(OnnxInitializer.Int64(Unique(name, _values), values));

    /// <summary>Adds a node <c>{prefix}/{opType}</c> reading <paramref name="inputs"/>, and returns the name of its output
    /// (the node's name).</summary>
    public override string Node(string prefix, string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        string name = Unique(prefix.Length == 0 ? opType : $"{prefix}/{opType}", _nodeNames);
        string output = Unique(name, _values);
        _nodes.Add(new OnnxNode(opType, name, inputs, output, attributes));
        return output;
    }

    /// <summary>Names <paramref name="value"/>, of per-example shape <paramref name="shape"/>, the graph output
    /// <paramref name="outputName"/>: the last node's output is renamed, or, when the value is the graph input itself (a
    /// network of identities), an Identity node produces it.</summary>
    public void SetOutput(string value, string outputName, IReadOnlyList<int> shape)
    {
        if (_values.Contains(outputName)) throw new InvalidOperationException($"ONNX export: the output name '{outputName}' is already taken");
        if (value == inputName) _nodes.Add(new OnnxNode("Identity", Unique("Identity", _nodeNames), [value], outputName, []));
        else if (_nodes.Count > 0 && _nodes[^1].Output == value) _nodes[^1] = _nodes[^1] with { Output = outputName };
        else throw new InvalidOperationException($"ONNX export: '{value}' is not the last value computed");
        _values.Add(outputName);
        (_outputName, _outputShape) = (outputName, shape);
    }

    /// <summary>The shapes and sizes of the finished graph.</summary>
    public OnnxExportSummary Summary() => new(inputShape, _outputShape, _nodes.Count, _initializers.Count);

    /// <summary>Writes the GraphProto fields: nodes, name, initializers, input and output.</summary>
    public void WriteTo(ProtoWriter w, string name)
    {
        if (_outputName is null) throw new InvalidOperationException("ONNX export: the graph has no output");
        foreach (var node in _nodes) w.Message(OnnxProto.Graph.Node, node.WriteTo);
        w.String(OnnxProto.Graph.Name, name);
        foreach (var initializer in _initializers) w.Message(OnnxProto.Graph.Initializer, initializer.WriteTo);
        w.Message(OnnxProto.Graph.Input, v => WriteValueInfo(v, inputName, inputShape));
        w.Message(OnnxProto.Graph.Output, v => WriteValueInfo(v, _outputName, _outputShape));
    }

    /// <summary>ValueInfoProto: the name and a float tensor type of shape (batch, …shape).</summary>
    private static void WriteValueInfo(ProtoWriter w, string name, IReadOnlyList<int> shape)
    {
        w.String(OnnxProto.ValueInfo.Name, name);
        w.Message(OnnxProto.ValueInfo.Type, type => type.Message(OnnxProto.Type.TensorType, tensor =>
        {
            tensor.Int64(OnnxProto.Type.TensorElemType, OnnxProto.DataType.Float);
            tensor.Message(OnnxProto.Type.TensorShape, s =>
            {
                s.Message(OnnxProto.TensorShape.Dim, d => d.String(OnnxProto.TensorShape.DimParam, "batch"));
                foreach (int size in shape) s.Message(OnnxProto.TensorShape.Dim, d => d.Int64(OnnxProto.TensorShape.DimValue, size));
            });
        }));
    }

    private string Add(OnnxInitializer initializer)
    {
        _initializers.Add(initializer);
        return initializer.Name;
    }

    /// <summary><paramref name="name"/>, or <c>name_1</c>, <c>name_2</c>, … if taken; the result is recorded as taken.</summary>
    private static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int i = 1; !taken.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
