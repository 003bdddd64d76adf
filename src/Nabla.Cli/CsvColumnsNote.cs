using System.Globalization;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>The one line that says a CSV file without a header is read by position: its columns are then taken to be
/// the model's features in training order, which nothing in the file can confirm.</summary>
internal static class CsvColumnsNote
{
    public static void WriteIfPositional(TextWriter notes, CsvTable table, FeatureSchema? schema)
    {
        if (table.Header is not null || schema is null) return;
        int label = CsvDataset.PositionalLabel(table, schema.FeatureNames.Length, schema.LabelColumn, schema.LabelIndex);
        string labelNote = label < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", and column {label + 1} of {table.Columns} as its label");
        notes.WriteLine($"nabla: note: {table.Path} has no header row: its columns are read by position as the model's features ({SafeText.Quote(string.Join(", ", schema.FeatureNames))}){labelNote}");
    }
}
