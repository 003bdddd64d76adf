namespace Nabla.Serialization.Onnx;

/// <summary>The field numbers and enum values of the ONNX messages the exporter writes, as declared in
/// <c>onnx/onnx.proto</c> of the ONNX repository (syntax proto2, package onnx). Only the fields Nabla uses are named.</summary>
/// <remarks>proto2 leaves repeated scalars unpacked unless a field says <c>[packed = true]</c>; the ones written here
/// (<c>TensorProto.dims</c>, <c>AttributeProto.ints</c>, <c>NodeProto.input</c>) do not, so they are written one tag per
/// element, as the reference serialiser does. Parsers accept either form.</remarks>
internal static class OnnxProto
{
    /// <summary>message ModelProto.</summary>
    public static class Model
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int DocString = 6;
        public const int Graph = 7;
        public const int OpsetImport = 8;
        public const int MetadataProps = 14;
    }

    /// <summary>message StringStringEntryProto.</summary>
    public static class StringStringEntry
    {
        public const int Key = 1;
        public const int Value = 2;
    }

    /// <summary>message OperatorSetIdProto.</summary>
    public static class OperatorSetId
    {
        public const int Domain = 1;
        public const int Version = 2;
    }

    /// <summary>message GraphProto.</summary>
    public static class Graph
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int Input = 11;
        public const int Output = 12;
    }

    /// <summary>message NodeProto.</summary>
    public static class Node
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
    }

    /// <summary>message AttributeProto.</summary>
    public static class Attribute
    {
        public const int Name = 1;
        public const int F = 2;
        public const int I = 3;
        public const int Ints = 8;
        public const int Type = 20;

        /// <summary>enum AttributeProto.AttributeType.</summary>
        public const int TypeFloat = 1;
        public const int TypeInt = 2;
        public const int TypeInts = 7;
    }

    /// <summary>message ValueInfoProto.</summary>
    public static class ValueInfo
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    /// <summary>message TypeProto, and its nested TypeProto.Tensor.</summary>
    public static class Type
    {
        public const int TensorType = 1;
        public const int TensorElemType = 1;
        public const int TensorShape = 2;
    }

    /// <summary>message TensorShapeProto, and its nested TensorShapeProto.Dimension.</summary>
    public static class TensorShape
    {
        public const int Dim = 1;
        public const int DimValue = 1;
        public const int DimParam = 2;
    }

    /// <summary>message TensorProto.</summary>
    public static class Tensor
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;
    }

    /// <summary>enum TensorProto.DataType.</summary>
    public static class DataType
    {
        public const int Float = 1;
        public const int Int64 = 7;
        public const int Double = 11;
    }
}
