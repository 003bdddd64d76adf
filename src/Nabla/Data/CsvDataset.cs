using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>Tabular datasets from CSV files (<see cref="CsvTable"/>): one column holds the label (any text: "setosa",
/// "7", "yes"), every other column a number. The classes are the distinct labels, in numeric order when all are
/// numbers and in ordinal text order otherwise, unless the class names are given.</summary>
public static class CsvDataset
{
    /// <summary>Reads <paramref name="path"/>, taking <paramref name="labelColumn"/> (a header name or 0-based index;
    /// the last column when null) as the label.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The label column; null for the last.</param>
    /// <param name="classNames">The classes, in order, as a saved model knows them; a label outside them is an error.
    /// Null to take the distinct labels of the file.</param>
    /// <exception cref="DataFormatException">A feature is not a finite number (NaN and infinities included), a label is
    /// unknown, or there are fewer than two classes; the message names the file, line and column.</exception>
    /// <exception cref="ArgumentException">No column is named <paramref name="labelColumn"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvData Load(string path, string? labelColumn = null, IReadOnlyList<string>? classNames = null) =>
        Load(CsvTable.Read(path), labelColumn, classNames);

    /// <summary>Reads CSV text from <paramref name="stream"/> as <see cref="Load(string, string?, IReadOnlyList{string}?)"/>
    /// reads a file; <paramref name="name"/> stands for the file in error messages and names the dataset.</summary>
    /// <exception cref="DataFormatException">The text is not a valid dataset (see the path overload).</exception>
    /// <exception cref="ArgumentException">No column is named <paramref name="labelColumn"/>.</exception>
    public static CsvData Load(Stream stream, string name, string? labelColumn = null, IReadOnlyList<string>? classNames = null) =>
        Load(CsvTable.Read(stream, name), labelColumn, classNames);

    private static CsvData Load(CsvTable table, string? labelColumn, IReadOnlyList<string>? classNames)
    {
        string path = table.Path;
        if (table.Columns < 2) throw new DataFormatException($"{path}: a dataset needs a label column and at least one feature column, the file has {table.Columns} column");
        int label = labelColumn is null ? table.Columns - 1 : table.ColumnIndex(labelColumn);
        int[] featureColumns = [.. Enumerable.Range(0, table.Columns).Where(j => j != label)];

        var rawLabels = table.Rows.Select(r => r[label]).ToArray();
        var names = classNames?.ToArray() ?? DistinctClasses(rawLabels);
        if (names.Length < 2) throw new DataFormatException($"{path}: column '{table.ColumnName(label)}' holds a single class ('{names.FirstOrDefault()}'): nothing to learn");
        var labels = Labels(table, label, names);
        var features = ReadFeatures(table, featureColumns);
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        return new CsvData(new Dataset(features, labels, names.Length, names, name), [.. featureColumns.Select(table.ColumnName)], table.ColumnName(label));
    }

    /// <summary>Reads <paramref name="path"/> and splits it, stratified and seeded, into training and test sets
    /// (<paramref name="testFraction"/> held out); fits the standardisation on the training set only and applies it to
    /// both. The returned schema is what a saved model needs to read more rows the same way.</summary>
    public static (Dataset Train, Dataset Test, FeatureSchema Schema) LoadSplit(string path, string? labelColumn = null, double testFraction = 0.2, int seed = 0)
    {
        var csv = Load(path, labelColumn);
        var (train, test) = csv.Data.Split(testFraction, seed);
        var standardization = Standardization.Fit(train.Features);
        return (standardization.Apply(train), standardization.Apply(test), new FeatureSchema([.. csv.FeatureNames], csv.LabelColumn, standardization));
    }

    /// <summary>Reads <paramref name="path"/> as a saved model sees it: the schema's feature columns (by name when the
    /// file has a header), its label column mapped onto <paramref name="classNames"/>, and its standardisation.</summary>
    /// <exception cref="DataFormatException">The file does not fit the schema, a label is unknown, or a value is not a finite number.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dataset LoadForModel(string path, FeatureSchema schema, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(classNames);
        return LoadForModel(CsvTable.Read(path), schema, classNames);
    }

    /// <summary>Reads CSV text from <paramref name="stream"/> as <see cref="LoadForModel(string, FeatureSchema, IReadOnlyList{string})"/>
    /// reads a file; <paramref name="name"/> stands for the file in error messages and names the dataset.</summary>
    /// <exception cref="DataFormatException">The text does not fit the schema, a label is unknown, or a value is not a finite number.</exception>
    public static Dataset LoadForModel(Stream stream, string name, FeatureSchema schema, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(classNames);
        return LoadForModel(CsvTable.Read(stream, name), schema, classNames);
    }

    private static Dataset LoadForModel(CsvTable table, FeatureSchema schema, IReadOnlyList<string> classNames)
    {
        string path = table.Path;
        int label;
        try
        {
            label = table.ColumnIndex(schema.LabelColumn);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{path}: the model's label column '{schema.LabelColumn}' is missing ({e.Message})", e);
        }

        var labels = Labels(table, label, classNames);
        return new Dataset(ReadFeatures(table, schema), labels, classNames.Count, classNames, System.IO.Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>The feature rows of <paramref name="table"/> as a model saved with <paramref name="schema"/> takes them:
    /// its columns (see <see cref="ReadFeatures(CsvTable, IReadOnlyList{string}, string?)"/>), standardised.</summary>
    /// <exception cref="DataFormatException">The columns do not fit, a value is not a finite number, or one leaves the
    /// float range once standardised (far from μ over a small σ).</exception>
    public static Tensor ReadFeatures(CsvTable table, FeatureSchema schema)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        var features = ReadFeatures(table, schema.FeatureNames, schema.LabelColumn);
        if (schema.Standardization is not { } z) return features;
        features = z.Apply(features);
        int at = features.FirstNonFinite();
        if (at < 0) return features;
        int row = at / z.Mean.Length, column = at % z.Mean.Length;
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{table.Path}:{table.LineOf(row)}: feature '{schema.FeatureNames[column]}' is {features.GetFlat(at)} once standardised (μ = {z.Mean[column]}, σ = {z.Scale[column]}): beyond the float range"));
    }

    /// <summary>The feature rows of <paramref name="table"/> for a model that takes <paramref name="featureNames"/>:
    /// with a header, those columns by name (any order, extra columns ignored); without one, every column when there are
    /// exactly as many, or every column but <paramref name="labelColumn"/> when there is one more.</summary>
    /// <exception cref="DataFormatException">The columns do not fit, or a value is not a finite number.</exception>
    public static Tensor ReadFeatures(CsvTable table, IReadOnlyList<string> featureNames, string? labelColumn)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(featureNames);
        int[] columns;
        if (table.Header is not null && featureNames.All(n => table.Header.Contains(n)))
        {
            columns = [.. featureNames.Select(table.ColumnIndex)];
        }
        else if (table.Columns == featureNames.Count)
        {
            columns = [.. Enumerable.Range(0, table.Columns)];
        }
        else if (table.Columns == featureNames.Count + 1 && labelColumn is not null && TryColumn(table, labelColumn) is { } label)
        {
            columns = [.. Enumerable.Range(0, table.Columns).Where(j => j != label)];
        }
        else
        {
            var missing = table.Header is null ? "" : $"; missing: {string.Join(", ", featureNames.Where(n => !table.Header.Contains(n)).Take(5))}";
            throw new DataFormatException($"{table.Path}: the model takes {featureNames.Count} features, the file has {table.Columns} columns{missing}");
        }

        return ReadFeatures(table, columns);
    }

    private static int? TryColumn(CsvTable table, string name)
    {
        try
        {
            return table.ColumnIndex(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Tensor ReadFeatures(CsvTable table, int[] columns)
    {
        long count = (long)table.Rows.Count * columns.Length;
        if (count > Array.MaxLength) throw new DataFormatException($"{table.Path}: {table.Rows.Count} rows of {columns.Length} features are more values than a tensor holds");
        var values = new float[count];
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            for (int j = 0; j < columns.Length; j++)
            {
                string cell = row[columns[j]];
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || !float.IsFinite((float)v))
                    throw new DataFormatException($"{table.Path}:{table.LineOf(i)}: column '{table.ColumnName(columns[j])}' holds '{cell}', not a finite number");
                values[i * columns.Length + j] = (float)v;
            }
        }

        return Tensor.FromArray(values, new Shape(table.Rows.Count, columns.Length));
    }

    /// <summary>Column <paramref name="label"/> of every row as an index into <paramref name="classNames"/>.</summary>
    /// <exception cref="DataFormatException">A row's label is not one of the classes; the message names the line.</exception>
    private static int[] Labels(CsvTable table, int label, IReadOnlyList<string> classNames)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < classNames.Count; k++) index.TryAdd(classNames[k], k);
        var labels = new int[table.Rows.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            if (!index.TryGetValue(table.Rows[i][label], out labels[i]))
                throw new DataFormatException($"{table.Path}:{table.LineOf(i)}: label '{table.Rows[i][label]}' is not one of the model's classes ({string.Join(", ", classNames)})");
        }

        return labels;
    }

    private static string[] DistinctClasses(string[] labels)
    {
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        return distinct.All(CsvTable.IsNumber)
            ? [.. distinct.OrderBy(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture))]
            : [.. distinct.Order(StringComparer.Ordinal)];
    }
}
