using System.Buffers.Binary;
using System.Text;

namespace Nabla.Fuzz.Engine;

/// <summary>The mutation engine: seeded, so that a run is reproduced by its seed. Each mutant stacks one to eight
/// mutations: bit flips, random bytes, interesting integers (0, −1, 2³¹ − 1, 2³², 10¹², …) written over fields in
/// either byte order, small arithmetic on fields, insertion, deletion, duplication and overwriting of chunks,
/// truncation, splicing with another input of the pool, dictionary words; and for text, token mutations: numbers
/// replaced by edge-case numbers, words by dictionary words, tokens deleted, duplicated or swapped, structure
/// characters inserted, deep nesting.</summary>
internal sealed class Mutator(Random random, int maxLength)
{
    private static readonly long[] InterestingIntegers =
    [
        0, 1, -1, 2, 3, 7, 8, 16, 28, 32, 64, 100, 127, 128, 255, 256, 512, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        1 << 20, 1 << 24, (1L << 28) + 1, int.MaxValue, int.MinValue, uint.MaxValue, 1L << 32, 1_000_000_000_000, long.MaxValue, long.MinValue,
    ];

    private static readonly string[] InterestingNumbers =
    [
        "0", "-1", "1", "-0", "2", "3", "00", "01", "0.5", "1.5", "-2147483648", "2147483647", "2147483648", "4294967295", "4294967296",
        "268435456", "1073741824", "1000000000", "1000000000000", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "1e308", "1e400", "-1e400", "1e-400", "1e39", "3.4028236e38", "NaN", "Infinity", "-Infinity", "inf", "0x10", "1_000", " 1", "1e", "--1", "1.", ".5",
    ];

    private static readonly string[] Structure =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "{}", "[]", "\"\"", ",,", "\n", "\r\n", "\r", " ", "\t", "-", "--", "|", "\u00e9", "\uFEFF", "\0",
    ];

    /// <summary>The random source, shared with the runner so that one seed fixes a whole run.</summary>
    public Random Random => random;

    /// <summary>The pool that splices draw from (seeds and kept mutants), set by the runner.</summary>
    public IReadOnlyList<byte[]> Pool { get; set; } = [];

    /// <summary>One to eight stacked mutations of <paramref name="input"/>, at most the maximum length.</summary>
    public byte[] Mutate(byte[] input, InputStyle style, IReadOnlyList<byte[]> dictionary)
    {
        var data = new List<byte>(input);
        int count = 1 + Math.Min(7, (int)-Math.Log2(1 - random.NextDouble()));
        for (int i = 0; i < count; i++)
        {
            if (style == InputStyle.Text && random.Next(2) == 0) MutateText(data, dictionary);
            else MutateBytes(data, dictionary);
            if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void MutateBytes(List<byte> data, IReadOnlyList<byte[]> dictionary)
    {
        switch (random.Next(14))
        {
            case 0 when data.Count > 0:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 2 or 3:
                WriteInteger(data, InterestingIntegers[random.Next(InterestingIntegers.Length)]);
                break;
            case 4 when data.Count > 0:
                AddToInteger(data);
                break;
            case 5:
                InsertRandom(data);
                break;
            case 6 when data.Count > 0:
            {
                int at = random.Next(data.Count);
                data.RemoveRange(at, Math.Min(data.Count - at, ChunkLength()));
                break;
            }

            case 7 when data.Count > 0:
            {
                // Duplicate a chunk somewhere else (repeated fields, repeated records).
                int from = random.Next(data.Count), length = Math.Min(data.Count - from, ChunkLength());
                var chunk = data.GetRange(from, length);
                data.InsertRange(random.Next(data.Count + 1), chunk);
                break;
            }

            case 8 when data.Count > 1:
            {
                // Overwrite a chunk with another part of the input.
                int from = random.Next(data.Count), to = random.Next(data.Count);
                int length = Math.Min(ChunkLength(), Math.Min(data.Count - from, data.Count - to));
                var chunk = data.GetRange(from, length);
                for (int i = 0; i < length; i++) data[to + i] = chunk[i];
                break;
            }

            case 9 when data.Count > 0:
                Truncate(data);
                break;
            case 10 when Pool.Count > 0:
                Splice(data);
                break;
            case 11 or 12 when dictionary.Count > 0:
            {
                var word = dictionary[random.Next(dictionary.Count)];
                int at = random.Next(data.Count + 1);
                if (random.Next(2) == 0) data.InsertRange(at, word);
                else for (int i = 0; i < word.Length && at + i < data.Count; i++) data[at + i] = word[i];
                break;
            }

            default:
                if (data.Count > 0) data[random.Next(data.Count)] = (byte)random.Next(256);
                else data.Add((byte)random.Next(256));
                break;
        }
    }

    private int ChunkLength() => random.Next(4) switch
    {
        0 => 1,
        1 => 1 + random.Next(8),
        2 => 1 + random.Next(64),
        _ => 1 + random.Next(1024),
    };

    /// <summary>An integer of 1, 2, 4 or 8 bytes, little- or big-endian, over the input: at an offset that is a
    /// multiple of its width half of the time, in the first 64 bytes (where headers are) half of the time.</summary>
    private void WriteInteger(List<byte> data, long value)
    {
        int width = 1 << random.Next(4);
        if (data.Count < width) return;
        int limit = data.Count - width + 1;
        int at = random.Next(2) == 0 ? random.Next(Math.Min(limit, 64)) : random.Next(limit);
        if (random.Next(2) == 0) at -= at % width;
        Span<byte> bytes = stackalloc byte[8];
        bool bigEndian = random.Next(2) == 0;
        if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        else BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        var field = bigEndian ? bytes[(8 - width)..] : bytes[..width];
        for (int i = 0; i < width; i++) data[at + i] = field[i];
    }

    private void AddToInteger(List<byte> data)
    {
        int width = 1 << random.Next(3);
        if (data.Count < width) return;
        int at = random.Next(data.Count - width + 1);
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < width; i++) bytes[i] = data[at + i];
        bool bigEndian = random.Next(2) == 0;
        uint value = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) >> (8 * (4 - width)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        value = (uint)(value + (random.Next(2) == 0 ? 1 : -1) * (1 + random.Next(35)));
        for (int i = 0; i < width; i++) data[at + i] = (byte)(value >> (8 * (bigEndian ? width - 1 - i : i)));
    }

    private void InsertRandom(List<byte> data)
    {
        int at = random.Next(data.Count + 1);
        if (random.Next(2) == 0)
        {
            var bytes = new byte[1 + random.Next(16)];
            random.NextBytes(bytes);
            data.InsertRange(at, bytes);
        }
        else
        {
            // A run of one byte: long zero fields, long runs of spaces or digits.
            byte b = random.Next(3) switch { 0 => 0, 1 => data.Count > 0 ? data[random.Next(data.Count)] : (byte)0, _ => (byte)random.Next(256) };
            data.InsertRange(at, Enumerable.Repeat(b, ChunkLength()));
        }
    }

    private void Truncate(List<byte> data)
    {
        int keep = random.Next(data.Count);
        data.RemoveRange(keep, data.Count - keep);
    }

    /// <summary>A prefix of this input and a suffix of another of the pool.</summary>
    private void Splice(List<byte> data)
    {
        var other = Pool[random.Next(Pool.Count)];
        if (other.Length == 0) return;
        int cut = random.Next(data.Count + 1), from = random.Next(other.Length);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(from).ToArray());
    }

    private void MutateText(List<byte> data, IReadOnlyList<byte[]> dictionary)
    {
        var tokens = Tokenize(data);
        if (tokens.Count == 0)
        {
            data.AddRange(Encoding.UTF8.GetBytes(Structure[random.Next(Structure.Length)]));
            return;
        }

        var token = tokens[random.Next(tokens.Count)];
        switch (random.Next(8))
        {
            case 0 or 1:
            {
                // A number becomes an edge case; any other token becomes a number half of the time.
                var numbers = tokens.Where(t => t.Kind == TokenKind.Number).ToList();
                var target = numbers.Count > 0 && random.Next(4) != 0 ? numbers[random.Next(numbers.Count)] : token;
                Replace(data, target, Encoding.UTF8.GetBytes(InterestingNumbers[random.Next(InterestingNumbers.Length)]));
                break;
            }

            case 2 when dictionary.Count > 0:
            {
                var words = tokens.Where(t => t.Kind is TokenKind.Word or TokenKind.String).ToList();
                var target = words.Count > 0 ? words[random.Next(words.Count)] : token;
                var word = dictionary[random.Next(dictionary.Count)];
                if (target.Kind == TokenKind.String) Replace(data, target with { Start = target.Start + 1, Length = Math.Max(0, target.Length - 2) }, word);
                else Replace(data, target, word);
                break;
            }

            case 3:
                data.RemoveRange(token.Start, token.Length);
                break;
            case 4:
                data.InsertRange(token.Start, data.GetRange(token.Start, token.Length));
                break;
            case 5:
            {
                var other = tokens[random.Next(tokens.Count)];
                if (other.Start == token.Start) break;
                var (first, second) = other.Start < token.Start ? (other, token) : (token, other);
                if (first.Start + first.Length > second.Start) break;
                var a = data.GetRange(first.Start, first.Length);
                var b = data.GetRange(second.Start, second.Length);
                data.RemoveRange(second.Start, second.Length);
                data.InsertRange(second.Start, a);
                data.RemoveRange(first.Start, first.Length);
                data.InsertRange(first.Start, b);
                break;
            }

            case 6:
                data.InsertRange(random.Next(2) == 0 ? token.Start : token.Start + token.Length, Encoding.UTF8.GetBytes(Structure[random.Next(Structure.Length)]));
                break;
            default:
            {
                // Deep nesting or a long run of one token.
                string open = random.Next(3) switch { 0 => "[", 1 => "{\"a\":", _ => Encoding.UTF8.GetString([.. data.GetRange(token.Start, token.Length)]) };
                int depth = random.Next(2) == 0 ? 1 + random.Next(100) : 1 + random.Next(5000);
                data.InsertRange(token.Start, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth))));
                break;
            }
        }
    }

    private static void Replace(List<byte> data, Token token, byte[] with)
    {
        data.RemoveRange(token.Start, token.Length);
        data.InsertRange(token.Start, with);
    }

    private enum TokenKind
    {
        Number,
        Word,
        String,
        Other,
    }

    private readonly record struct Token(int Start, int Length, TokenKind Kind);

    /// <summary>Splits text into numbers, words, quoted strings and single other bytes (whitespace runs are skipped).</summary>
    private static List<Token> Tokenize(List<byte> data)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < data.Count)
        {
            byte c = data[i];
            int start = i;
            if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                i++;
                continue;
            }

            if (IsDigit(c) || (c is (byte)'-' or (byte)'+' && i + 1 < data.Count && IsDigit(data[i + 1])))
            {
                i++;
                while (i < data.Count && (IsDigit(data[i]) || data[i] is (byte)'.' or (byte)'e' or (byte)'E' || (data[i] is (byte)'+' or (byte)'-' && data[i - 1] is (byte)'e' or (byte)'E'))) i++;
                tokens.Add(new Token(start, i - start, TokenKind.Number));
            }
            else if (IsLetter(c))
            {
                while (i < data.Count && (IsLetter(data[i]) || IsDigit(data[i]))) i++;
                tokens.Add(new Token(start, i - start, TokenKind.Word));
            }
            else if (c == (byte)'"')
            {
                i++;
                while (i < data.Count && data[i] != (byte)'"' && data[i] != (byte)'\n') i += data[i] == (byte)'\\' ? 2 : 1;
                i = Math.Min(data.Count, i + 1);
                tokens.Add(new Token(start, i - start, TokenKind.String));
            }
            else
            {
                i++;
                tokens.Add(new Token(start, 1, TokenKind.Other));
            }
        }

        return tokens;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    private static bool IsLetter(byte c) => c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_';
}
