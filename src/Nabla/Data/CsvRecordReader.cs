using System.Text;

namespace Nabla.Data;

/// <summary>Reads CSV records one at a time, character by character, so that no line is held whole before its cells are
/// checked: a cell longer than <see cref="CsvTable.MaxCellLength"/> or a record of more than
/// <see cref="CsvTable.MaxColumns"/> cells is refused as soon as it is seen, and memory stays proportional to the cells
/// kept. Fields are comma-separated and optionally in double quotes (a doubled quote inside one is a quote; a quoted
/// field may hold line breaks, read as <c>\n</c>); unquoted fields are trimmed; blank lines are skipped; <c>\n</c>,
/// <c>\r\n</c> and <c>\r</c> end a line.</summary>
internal sealed class CsvRecordReader(TextReader reader, string name)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _cell = new();
    private readonly List<string> _cells = [];
    private int _length, _position;
    private int _line = 1;

    /// <summary>Reads the next non-blank record.</summary>
    /// <param name="cells">Its cells.</param>
    /// <param name="line">The 1-based line it starts on.</param>
    /// <returns>False at the end of the text.</returns>
    /// <exception cref="DataFormatException">A quoted field is never closed, a cell is too long, or a record has too
    /// many cells; the message names the file and line.</exception>
    public bool Next(out string[] cells, out int line)
    {
        while (true)
        {
            line = _line;
            bool more = ReadRecord(out bool blank);
            if (!blank)
            {
                cells = [.. _cells];
                _cells.Clear();
                return true;
            }

            _cells.Clear();
            if (!more)
            {
                cells = [];
                return false;
            }
        }
    }

    /// <summary>Reads one record's cells into <c>_cells</c>.</summary>
    /// <param name="blank">Whether the record is a blank line (or nothing, at the end of the text).</param>
    /// <returns>Whether a line break ended the record, so that more text may follow.</returns>
    private bool ReadRecord(out bool blank)
    {
        bool quoted = false, wasQuoted = false, endOfLine = false;
        int first = _line;
        int c;
        while (!endOfLine && (c = Read()) >= 0)
        {
            char ch = (char)c;
            if (ch is '\r' or '\n')
            {
                if (ch == '\r' && Peek() == '\n') Read();
                _line++;
                if (quoted) Append('\n', first);   // a line break inside a quoted field is part of it
                else endOfLine = true;
            }
            else if (quoted)
            {
                if (ch != '"') Append(ch, first);
                else if (Peek() == '"') { Read(); Append('"', first); }
                else quoted = false;
            }
            else if (ch == '"') { quoted = true; wasQuoted = true; }
            else if (ch == ',') { EndCell(wasQuoted, first); wasQuoted = false; }
            else Append(ch, first);
        }

        if (quoted) throw new DataFormatException($"{name}:{first}: a quoted field is never closed");
        bool empty = _cells.Count == 0 && _cell.Length == 0 && !wasQuoted;
        if (!empty || endOfLine) EndCell(wasQuoted, first);
        blank = _cells.Count == 0 || (_cells.Count == 1 && _cells[0].Length == 0 && !wasQuoted);
        return endOfLine;
    }

    private void Append(char ch, int line)
    {
        if (_cell.Length >= CsvTable.MaxCellLength)
            throw new DataFormatException($"{name}:{line}: a cell is longer than {CsvTable.MaxCellLength} characters");
        _cell.Append(ch);
    }

    private void EndCell(bool quoted, int line)
    {
        if (_cells.Count >= CsvTable.MaxColumns)
            throw new DataFormatException($"{name}:{line}: more than {CsvTable.MaxColumns} cells in one row");
        var text = _cell.ToString();
        _cells.Add(quoted ? text : text.Trim());
        _cell.Clear();
    }

    private int Read()
    {
        if (_position == _length && !Fill()) return -1;
        return _buffer[_position++];
    }

    private int Peek() => _position == _length && !Fill() ? -1 : _buffer[_position];

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
