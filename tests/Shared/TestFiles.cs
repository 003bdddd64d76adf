using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Testing;

/// <summary>A temporary folder per test, deleted afterwards, and writers for small IDX files; shared by both test projects.</summary>
internal sealed class TestFiles : IDisposable
{
    public TestFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "nabla-tests-" + Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>IDX bytes: 0, 0, type, rank, big-endian dimensions, then values.</summary>
    public static byte[] Idx(int[] dims, byte[] values, byte type = 0x08)
    {
        var bytes = new byte[4 + (4 * dims.Length) + values.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        values.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    public string Write(string name, byte[] content, bool gzip = false)
    {
        var path = PathOf(name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }

        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
