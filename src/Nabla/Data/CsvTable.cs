using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>A CSV file as rows of text cells: comma-separated, fields optionally in double quotes (a doubled quote
/// inside one is a quote), blank lines skipped, surrounding spaces of unquoted fields trimmed. The first row is taken
/// as a header when it holds text in a column whose data rows hold numbers (or, in a one-row file, when no cell is a
/// number). A first line in scikit-learn's layout ("150,4,setosa,versicolor,virginica": rows, features, class names)
/// is read as what it is: no header, and the class indices of the last column become those names. Every row must have
/// as many cells as the first. Cells are at most <see cref="MaxCellLength"/> characters and rows at most
/// <see cref="MaxColumns"/> cells, so memory stays proportional to the data kept.</summary>
public sealed class CsvTable
{
    /// <summary>The most cells a row may hold: a wider file is refused rather than read into memory.</summary>
    public const int MaxColumns = 65_536;

    /// <summary>The most characters a cell may hold (a number or a label is far shorter).</summary>
    public const int MaxCellLength = 65_536;

    private CsvTable(string path, string[]? header, List<string[]> rows, List<int> lineNumbers, string[]? declaredClassNames)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _lineNumbers = lineNumbers;
        DeclaredClassNames = declaredClassNames;
    }

    private readonly List<int> _lineNumbers;

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The column names, or null when the file has no header row.</summary>
    public IReadOnlyList<string>? Header { get; }

    /// <summary>The data rows, each with <see cref="Columns"/> cells.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The class names the file itself declares, for the last column: scikit-learn's bundled CSV files start
    /// with a line "rows, features, class names…" and hold class indices in their last column; this table holds the
    /// names there instead. Null for other files.</summary>
    public IReadOnlyList<string>? DeclaredClassNames { get; }

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
    /// <exception cref="DataFormatException">An unterminated quote, rows of different lengths, a cell longer than
    /// <see cref="MaxCellLength"/>, more than <see cref="MaxColumns"/> columns, no data rows, or a first line in
    /// scikit-learn's layout that does not fit the rows.</exception>
    public static CsvTable Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        var rows = new List<string[]>();
        var lines = new List<int>();
        ScikitLearnLine? announced = null;
        using (var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true))
        {
            var reader = new CsvRecordReader(text, name);
            while (reader.Next(out var cells, out int line))
            {
                if (rows.Count == 1)
                {
                    // The second row decides what the first was: scikit-learn's counts line announces the width.
                    announced = ScikitLearnLine.Parse(rows[0]);
                    if (announced is not null && cells.Length != announced.Columns && cells.Length != rows[0].Length)
                    {
                        throw new DataFormatException(
                            $"{name}:{line}: {cells.Length} cells, but the first line, in scikit-learn's layout ({announced}), announces {announced.Columns}");
                    }

                    if (announced is not null && cells.Length != announced.Columns) announced = null;
                }

                int width = announced?.Columns ?? (rows.Count > 0 ? rows[0].Length : cells.Length);
                if (rows.Count > (announced is null ? 0 : 1) && cells.Length != width)
                    throw new DataFormatException(announced is null
                        ? $"{name}:{line}: {cells.Length} cells, but the first row has {width}"
                        : $"{name}:{line}: {cells.Length} cells, but the first line announces {width} (the features and the label)");
                rows.Add(cells);
                lines.Add(line);
            }
        }

        if (rows.Count == 0) throw new DataFormatException($"{name}: the file holds no rows");
        if (announced is not null) return FromScikitLearn(name, announced, rows, lines);
        string[]? header = null;
        if (IsHeader(rows))
        {
            header = rows[0];
            rows.RemoveAt(0);
            lines.RemoveAt(0);
            if (rows.Count == 0) throw new DataFormatException($"{name}: the file holds a header but no data rows");
        }

        return new CsvTable(name, header, rows, lines, null);
    }

    /// <summary>Whether the first row names the columns: it holds text where the data rows (up to 100 of them) hold
    /// numbers, that is in the feature positions; a one-row file is a header only when none of its cells is a number.</summary>
    private static bool IsHeader(List<string[]> rows)
    {
        if (rows.Count == 1) return rows[0].All(c => !IsNumber(c));
        int sample = Math.Min(rows.Count, 101);
        for (int j = 0; j < rows[0].Length; j++)
        {
            if (IsNumber(rows[0][j])) continue;
            bool numericColumn = true;
            for (int i = 1; i < sample && numericColumn; i++) numericColumn = IsNumber(rows[i][j]);
            if (numericColumn) return true;
        }

        return false;
    }

    /// <summary>A table whose first line was scikit-learn's "rows, features, class names…": the label (the last
    /// column) holds class indices, which become the class names the line gives.</summary>
    private static CsvTable FromScikitLearn(string name, ScikitLearnLine announced, List<string[]> rows, List<int> lines)
    {
        rows.RemoveAt(0);
        lines.RemoveAt(0);
        if (rows.Count != announced.Rows)
            throw new DataFormatException($"{name}: the first line, in scikit-learn's layout ({announced}), announces {announced.Rows} rows, but the file holds {rows.Count}");
        int label = announced.Columns - 1;
        for (int i = 0; i < rows.Count; i++)
        {
            string cell = rows[i][label];
            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double index) || index != Math.Floor(index) || index < 0 || index >= announced.ClassNames.Length)
            {
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}:{lines[i]}: the label '{SafeText.Quote(cell)}' is not a class index below {announced.ClassNames.Length}, as the first line, in scikit-learn's layout ({announced}), requires"));
            }

            rows[i][label] = announced.ClassNames[(int)index];
        }

        return new CsvTable(name, null, rows, lines, announced.ClassNames);
    }

    /// <summary>Whether <paramref name="text"/> is a number as the CSV reader takes it (invariant culture).</summary>
    public static bool IsNumber(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
