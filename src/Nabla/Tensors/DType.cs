namespace Nabla.Tensors;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
/// <remarks>Float32 is for training; Float64 is for gradient checks, where finite differences need the extra precision.
/// Every operation is written once, generically, and serves both.</remarks>
public enum DType
{
    /// <summary>IEEE 754 single precision (4 bytes).</summary>
    Float32,

    /// <summary>IEEE 754 double precision (8 bytes).</summary>
    Float64,
}

/// <summary>Facts about each <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The lower-case name used in files and messages ("float32", "float64").</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Parses "float32"/"f32"/"float64"/"f64" (case-insensitive).</summary>
    public static DType Parse(string text) => text.ToLowerInvariant() switch
    {
        "float32" or "f32" or "float" => DType.Float32,
        "float64" or "f64" or "double" => DType.Float64,
        _ => throw new ArgumentException($"unknown dtype '{text}' (expected float32 or float64)", nameof(text)),
    };

    internal static DType Of<T>()
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        throw new NotSupportedException($"element type {typeof(T).Name} is not a Nabla dtype");
    }
}
