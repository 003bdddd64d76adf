using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>A CSV file as rows of text cells: comma-separated, fields optionally in double quotes (a doubled quote
/// inside one is a quote), blank lines skipped, surrounding spaces of unquoted fields trimmed. The first row is taken
/// as a header when some column holds text there and a number in the second row (or, in a one-row file, when no
/// cell is a number). Every row must have as many cells as the first.</summary>
public sealed class CsvTable
{
    private CsvTable(string path, string[]? header, List<string[]> rows, List<int> lineNumbers)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _lineNumbers = lineNumbers;
    }

    private readonly List<int> _lineNumbers;

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The column names, or null when the file has no header row.</summary>
    public IReadOnlyList<string>? Header { get; }

    /// <summary>The data rows, each with <see cref="Columns"/> cells.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Cells per row.</summary>
    public int Columns => Header?.Count ?? (Rows.Count > 0 ? Rows[0].Length : 0);

    /// <summary>The line of the file that row <paramref name="row"/> came from (1-based), for error messages.</summary>
    public int LineOf(int row) => _lineNumbers[row];

    /// <summary>The name of column <paramref name="column"/>: its header, or its 0-based index as text.</summary>
    public string ColumnName(int column) => Header?[column] ?? column.ToString(CultureInfo.InvariantCulture);

    /// <summary>The index of the column named <paramref name="name"/> (a header name, or a 0-based index).</summary>
    /// <exception cref="ArgumentException">No such column; the message lists the columns.</exception>
    public int ColumnIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Header is not null)
        {
            for (int i = 0; i < Header.Count; i++) if (Header[i] == name) return i;
            for (int i = 0; i < Header.Count; i++) if (string.Equals(Header[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        }

        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < Columns) return index;
        string known = Header is null ? $"the file has no header: give a 0-based index below {Columns}" : $"columns: {string.Join(", ", Header)}";
        throw new ArgumentException($"{Path}: no column '{name}' ({known})");
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">An unterminated quote, rows of different lengths, or no data rows.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvTable Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads CSV text (UTF-8, or the encoding its byte-order mark gives) from <paramref name="stream"/>;
    /// <paramref name="name"/> stands for the file in error messages and in <see cref="Path"/>.</summary>
    /// <exception cref="DataFormatException">An unterminated quote, rows of different lengths, or no data rows.</exception>
    public static CsvTable Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var rows = new List<string[]>();
        var lines = new List<int>();
        using (var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true))
        {
            int lineNumber = 0;
            var record = new StringBuilder();
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                int first = lineNumber;
                if (string.IsNullOrWhiteSpace(line)) continue;

                // A quoted field may hold line breaks: keep reading lines until its quote closes. The quotes are
                // counted line by line, so a quote left open over many lines costs linear time, not quadratic.
                bool open = CountQuotes(line) % 2 == 1;
                if (open)
                {
                    record.Clear().Append(line);
                    while (open)
                    {
                        var next = reader.ReadLine() ?? throw new DataFormatException($"{name}:{first}: a quoted field is never closed");
                        lineNumber++;
                        record.Append('\n').Append(next);
                        open ^= CountQuotes(next) % 2 == 1;
                    }

                    line = record.ToString();
                }

                var cells = Split(line);
                if (rows.Count > 0 && cells.Length != rows[0].Length)
                    throw new DataFormatException($"{name}:{first}: {cells.Length} cells, but the first row has {rows[0].Length}");
                rows.Add(cells);
                lines.Add(first);
            }
        }

        if (rows.Count == 0) throw new DataFormatException($"{name}: the file holds no rows");
        bool hasHeader = rows.Count == 1
            ? rows[0].All(c => !IsNumber(c))
            : Enumerable.Range(0, rows[0].Length).Any(j => !IsNumber(rows[0][j]) && IsNumber(rows[1][j]));
        string[]? header = null;
        if (hasHeader)
        {
            header = rows[0];
            rows.RemoveAt(0);
            lines.RemoveAt(0);
            if (rows.Count == 0) throw new DataFormatException($"{name}: the file holds a header but no data rows");
        }

        return new CsvTable(name, header, rows, lines);
    }

    /// <summary>Whether <paramref name="text"/> is a number as the CSV reader takes it (invariant culture).</summary>
    public static bool IsNumber(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static int CountQuotes(string line) => line.AsSpan().Count('"');

    private static string[] Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') { quoted = true; wasQuoted = true; }
            else if (c == ',') { cells.Add(Finish(cell, wasQuoted)); wasQuoted = false; }
            else cell.Append(c);
        }

        cells.Add(Finish(cell, wasQuoted));
        return [.. cells];
    }

    private static string Finish(StringBuilder cell, bool quoted)
    {
        var text = quoted ? cell.ToString() : cell.ToString().Trim();
        cell.Clear();
        return text;
    }
}
