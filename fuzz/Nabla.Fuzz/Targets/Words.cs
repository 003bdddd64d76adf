using System.Text;

namespace Nabla.Fuzz.Targets;

/// <summary>Dictionaries as byte strings.</summary>
internal static class Words
{
    public static byte[][] Of(params string[] words) => [.. words.Select(Encoding.UTF8.GetBytes)];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
