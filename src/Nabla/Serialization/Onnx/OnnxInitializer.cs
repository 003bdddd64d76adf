using System.Buffers.Binary;
using Nabla.Tensors;

namespace Nabla.Serialization.Onnx;

/// <summary>A constant tensor of the graph (a weight, or a shape an operator needs), stored as raw little-endian bytes.</summary>
/// <param name="Name">The value name nodes refer to it by.</param>
/// <param name="DataType">The TensorProto.DataType value.</param>
/// <param name="Dims">The shape; empty for a scalar.</param>
/// <param name="RawData">The elements, row-major, fixed width, little-endian.</param>
internal sealed record OnnxInitializer(string Name, int DataType, IReadOnlyList<long> Dims, byte[] RawData)
{
    /// <summary>The values of <paramref name="tensor"/> as float32 (Float64 tensors are rounded to float32).</summary>
    public static OnnxInitializer Float32(string name, Tensor tensor)
    {
        var values = tensor.DType == DType.Float32 ? tensor.AsSpan<float>() : tensor.ToFloatArray();
        return Float32(name, tensor.Shape.ToArray(), values);
    }

    /// <summary>A float32 tensor of <paramref name="dims"/> holding <paramref name="values"/>.</summary>
    public static OnnxInitializer Float32(string name, IReadOnlyList<int> dims, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return new(name, OnnxProto.DataType.Float, [.. dims.Select(d => (long)d)], bytes);
    }

    /// <summary>A 1-D float64 tensor holding <paramref name="values"/> (the standardisation's μ and σ).</summary>
    public static OnnxInitializer Float64(string name, ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), values[i]);
        return new(name, OnnxProto.DataType.Double, [values.Length], bytes);
    }

    /// <summary>A 1-D int64 tensor holding <paramref name="values"/> (shapes for Reshape).</summary>
    public static OnnxInitializer Int64(string name, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        return new(name, OnnxProto.DataType.Int64, [values.Length], bytes);
    }

    /// <summary>Writes the TensorProto fields.</summary>
    public void WriteTo(ProtoWriter w)
    {
        w.Int64s(OnnxProto.Tensor.Dims, Dims);
        w.Int64(OnnxProto.Tensor.DataType, DataType);
        w.String(OnnxProto.Tensor.Name, Name);
        w.Bytes(OnnxProto.Tensor.RawData, RawData);
    }
}
