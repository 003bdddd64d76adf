using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>The SHA-256 of a checkpoint's payload: its description (the JSON in the metadata) and every tensor's name,
/// dtype, shape and values, in name order. It is computed from what was read, not from the file's bytes, so it does
/// not depend on how the safetensors writer orders or aligns the file, and any flipped byte in a value, a name, a
/// shape or the description changes it.</summary>
internal static class CheckpointChecksum
{
    /// <summary>The algorithm's name, written before the digest ("sha256:…") so that another can follow.</summary>
    public const string Algorithm = "sha256";

    /// <summary>"sha256:" and the digest as 64 lowercase hex digits.</summary>
    public static string Compute(string description, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendText(hash, description);
        Span<byte> number = stackalloc byte[8];
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            AppendText(hash, name);
            BinaryPrimitives.WriteInt64LittleEndian(number, (long)tensor.DType);
            hash.AppendData(number);
            BinaryPrimitives.WriteInt64LittleEndian(number, tensor.Rank);
            hash.AppendData(number);
            for (int d = 0; d < tensor.Rank; d++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, tensor.Shape[d]);
                hash.AppendData(number);
            }

            hash.AppendData(tensor.DType == DType.Float32 ? MemoryMarshal.AsBytes(tensor.AsSpan<float>()) : MemoryMarshal.AsBytes(tensor.AsSpan<double>()));
        }

        return $"{Algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    /// <summary>A text with its length first, so that two fields cannot trade characters and hash alike.</summary>
    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
