namespace Nabla.Serialization.Onnx;

/// <summary>A node attribute: one int, one float or a list of ints (the only kinds the exported operators need).</summary>
internal sealed record OnnxAttribute
{
    private OnnxAttribute(string name, int type) => (Name, Type) = (name, type);

    /// <summary>The attribute's name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    /// <summary>The AttributeProto.AttributeType value.</summary>
    public int Type { get; }

    /// <summary>The value of an INT attribute.</summary>
    public long Int { get; private init; }

    /// <summary>The value of a FLOAT attribute.</summary>
    public float Float { get; private init; }

    /// <summary>The values of an INTS attribute.</summary>
    public IReadOnlyList<long> Ints { get; private init; } = [];

    public static OnnxAttribute Of(string name, long value) => new(name, OnnxProto.Attribute.TypeInt) { Int = value };

    public static OnnxAttribute Of(string name, float value) => new(name, OnnxProto.Attribute.TypeFloat) { Float = value };

    public static OnnxAttribute Of(string name, params long[] values) => new(name, OnnxProto.Attribute.TypeInts) { Ints = values };

    /// <summary>Writes the AttributeProto fields: name, type, then the one value field the type names.</summary>
    public void WriteTo(ProtoWriter w)
    {
        w.String(OnnxProto.Attribute.Name, Name);
        w.Int64(OnnxProto.Attribute.Type, Type);
        switch (Type)
        {
            case OnnxProto.Attribute.TypeInt: w.Int64(OnnxProto.Attribute.I, Int); break;
            case OnnxProto.Attribute.TypeFloat: w.Float(OnnxProto.Attribute.F, Float); break;
            default: w.Int64s(OnnxProto.Attribute.Ints, Ints); break;
        }
    }
}
