using Nabla.NN.Onnx;

namespace Nabla.Serialization.Onnx;

/// <summary>One operator of the graph (default ONNX domain) with a single output value.</summary>
/// <param name="OpType">The operator, e.g. <c>Gemm</c>.</param>
/// <param name="Name">The node's name, unique in the graph, e.g. <c>layers.0/Gemm</c>.</param>
/// <param name="Inputs">The names of the values it reads, in the operator's order.</param>
/// <param name="Output">The name of the value it produces.</param>
/// <param name="Attributes">Its attributes.</param>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, string Output, IReadOnlyList<OnnxAttribute> Attributes)
{
    /// <summary>Writes the NodeProto fields.</summary>
    public void WriteTo(ProtoWriter w)
    {
        foreach (var input in Inputs) w.String(OnnxProto.Node.Input, input);
        w.String(OnnxProto.Node.Output, Output);
        w.String(OnnxProto.Node.Name, Name);
        w.String(OnnxProto.Node.OpType, OpType);
        foreach (var a in Attributes) w.Message(OnnxProto.Node.Attribute, attribute => WriteAttribute(a, attribute));
    }

    /// <summary>Writes the AttributeProto fields: name, type, then the one value field the type names.</summary>
    private static void WriteAttribute(OnnxAttribute a, ProtoWriter w)
    {
        w.String(OnnxProto.Attribute.Name, a.Name);
        w.Int64(OnnxProto.Attribute.Type, (long)a.Kind);
        switch (a.Kind)
        {
            case OnnxAttributeKind.Int: w.Int64(OnnxProto.Attribute.I, a.Int); break;
            case OnnxAttributeKind.Float: w.Float(OnnxProto.Attribute.F, a.Float); break;
            default: w.Int64s(OnnxProto.Attribute.Ints, a.Ints); break;
        }
    }
}
