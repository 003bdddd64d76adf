using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Nabla.Data;

namespace Nabla.Pictures;

/// <summary>A PNG file reduced to the chunks that make its pixels (IHDR, PLTE, tRNS, IDAT, IEND), checked before Skia
/// sees it. Ancillary chunks (text, metadata, unknown ones) are skipped by seeking, unread: Skia's reader copies and
/// parses them, which takes tens of seconds for a single 16 MB tEXt chunk; skipped, they cost nothing. The kept chunks'
/// CRCs are verified and the file must be whole (every chunk complete, an IEND at the end), so that a damaged or
/// cut-short file is refused with a reason rather than decoded as far as it goes.</summary>
internal static class PngChunks
{
    /// <summary>The 8 bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The chunks kept: the critical ones, and tRNS, which gives palette and grey images their transparency.
    /// Colour-space chunks are dropped with the rest, since pixels are decoded without colour management.</summary>
    private static readonly HashSet<string> Kept = ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"];

    /// <summary>Whether <paramref name="start"/> (a file's first bytes) is the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> start) => start.StartsWith(Signature);

    /// <summary>The PNG in <paramref name="stream"/> (seekable, positioned at its signature) with only its kept chunks;
    /// <paramref name="name"/> stands for the file in error messages.</summary>
    /// <exception cref="DataFormatException">The file does not start with IHDR, a chunk runs past the end of the file,
    /// a kept chunk's CRC does not match, an unknown critical chunk is met, or there is no IEND.</exception>
    public static byte[] KeepPixelChunks(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var kept = new MemoryStream();
        Span<byte> header = stackalloc byte[8];
        ReadExactly(stream, header, name, "the PNG signature");
        kept.Write(header);
        bool first = true;
        while (true)
        {
            long at = stream.Position;
            if (stream.Length - at < 12)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name}: the PNG file is cut short at byte {at}: it ends without an IEND chunk"));
            ReadExactly(stream, header, name, "a chunk header");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            string type = Encoding.ASCII.GetString(header[4..]);
            if (length > int.MaxValue || !type.All(char.IsAsciiLetter))
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name}: damaged PNG: the chunk at byte {at} has type '{SafeText.Escape(type)}' and length {length}"));
            long end = at + 12 + length;
            if (end > stream.Length)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name}: the PNG file is cut short: its {type} chunk at byte {at} holds {length} bytes, but the file ends {end - stream.Length} bytes early"));
            if (first && type != "IHDR")
                throw new DataFormatException($"{name}: damaged PNG: the first chunk is {type}, not IHDR");
            first = false;

            if (!Kept.Contains(type))
            {
                // An unknown critical chunk (upper-case first letter) is one the decoder would need but cannot know.
                if (char.IsAsciiLetterUpper(type[0]))
                    throw new DataFormatException($"{name}: the PNG holds a critical chunk {type} that no decoder here knows");
                stream.Seek(end, SeekOrigin.Begin);
                continue;
            }

            var data = new byte[length + 4];
            ReadExactly(stream, data, name, $"the {type} chunk");
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan((int)length));
            if (Crc32.Append(Crc32.Append(0, header[4..]), data.AsSpan(0, (int)length)) != stored)   // over type and data
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name}: damaged PNG: the CRC of its {type} chunk at byte {at} does not match its contents"));
            kept.Write(header);
            kept.Write(data);
            if (type == "IEND") return kept.ToArray();
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException($"{name}: the PNG file is cut short in {what}");
        }
    }
}
