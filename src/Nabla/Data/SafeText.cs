using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>Text taken from a file, made safe to print: a file's bytes must never reach a terminal raw (an ESC or BEL
/// in a cell can set the window title or clear the screen), and an error message stays one short line however long
/// the text it quotes.</summary>
public static class SafeText
{
    /// <summary>How many characters of a file's text an error message quotes.</summary>
    public const int QuoteLength = 80;

    /// <summary><paramref name="text"/> with every control character (C0, DEL, C1, and the line and paragraph
    /// separators) written as a visible escape: <c>\n</c>, <c>\t</c>, <c>\r</c>, <c>\0</c>, or <c>\u001B</c>; backslashes
    /// are left as they are.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (!NeedsEscape(c)) escaped.Append(c);
            else escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
            });
        }

        return escaped.ToString();
    }

    /// <summary>At most <see cref="QuoteLength"/> characters of <paramref name="text"/>, escaped as by
    /// <see cref="Escape"/>, with "…" and the full length when it was cut: what an error message quotes of a file.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= QuoteLength) return Escape(text);
        return string.Create(CultureInfo.InvariantCulture, $"{Escape(text[..QuoteLength])}… ({text.Length} characters)");
    }

    /// <summary>Whether <paramref name="text"/> holds a control character (see <see cref="Escape"/>).</summary>
    public static bool HasControlCharacter(string text) => text is not null && text.Any(NeedsEscape);

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
