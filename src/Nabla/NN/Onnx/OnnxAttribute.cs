namespace Nabla.NN.Onnx;

/// <summary>A node attribute: one int, one float or a list of ints (the only kinds the exported operators need).</summary>
internal sealed record OnnxAttribute
{
    private OnnxAttribute(string name, OnnxAttributeKind kind) => (Name, Kind) = (name, kind);

    /// <summary>The attribute's name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    /// <summary>Which of the values below it holds.</summary>
    public OnnxAttributeKind Kind { get; }

    /// <summary>The value of an INT attribute.</summary>
    public long Int { get; private init; }

    /// <summary>The value of a FLOAT attribute.</summary>
    public float Float { get; private init; }

    /// <summary>The values of an INTS attribute.</summary>
    public IReadOnlyList<long> Ints { get; private init; } = [];

    public static OnnxAttribute Of(string name, long value) => new(name, OnnxAttributeKind.Int) { Int = value };

    public static OnnxAttribute Of(string name, float value) => new(name, OnnxAttributeKind.Float) { Float = value };

    public static OnnxAttribute Of(string name, params long[] values) => new(name, OnnxAttributeKind.Ints) { Ints = values };
}

/// <summary>The kinds of <see cref="OnnxAttribute"/>, numbered as ONNX's AttributeProto.AttributeType.</summary>
internal enum OnnxAttributeKind
{
    Float = 1,
    Int = 2,
    Ints = 7,
}
