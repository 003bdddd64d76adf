namespace Nabla.Data;

/// <summary>A dataset read from a CSV file, with what is needed to read more rows the same way.</summary>
/// <param name="Data">Features (N, D) as float32 and labels 0..C−1.</param>
/// <param name="FeatureNames">The D feature columns, in order: header names, or 0-based indices as text.</param>
/// <param name="LabelColumn">The label column's name (or index as text).</param>
/// <param name="LabelIndex">The label column's place in the file, 0-based.</param>
public sealed record CsvData(Dataset Data, IReadOnlyList<string> FeatureNames, string LabelColumn, int LabelIndex = -1);
