using System.Runtime.InteropServices;

namespace Nabla.Data;

/// <summary>Streams over bytes held in memory, for the readers' in-memory entry points.</summary>
internal static class InMemory
{
    /// <summary>A read-only stream over <paramref name="content"/>, without a copy when it is backed by an array.</summary>
    public static MemoryStream Open(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
