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
    /// <param name="expectedClasses">How many classes the label column holds, to train on a column that the class rule
    /// (<see cref="MaxClasses"/>) would refuse; null to apply the rule.</param>
    /// <exception cref="DataFormatException">A feature is not a finite number (NaN and infinities included), a label is
    /// unknown or holds a control character, there are fewer than two classes, or the label column looks like a
    /// measurement rather than classes (see <see cref="MaxClasses"/>); the message names the file, line and column.</exception>
    /// <exception cref="ArgumentException">No column is named <paramref name="labelColumn"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvData Load(string path, string? labelColumn = null, IReadOnlyList<string>? classNames = null, int? expectedClasses = null) =>
        Load(CsvTable.Read(path), labelColumn, classNames, expectedClasses);

    /// <summary>Reads CSV text from <paramref name="stream"/> as <see cref="Load(string, string?, IReadOnlyList{string}?, int?)"/>
    /// reads a file; <paramref name="name"/> stands for the file in error messages and names the dataset.</summary>
    /// <exception cref="DataFormatException">The text is not a valid dataset (see the path overload).</exception>
    /// <exception cref="ArgumentException">No column is named <paramref name="labelColumn"/>.</exception>
    public static CsvData Load(Stream stream, string name, string? labelColumn = null, IReadOnlyList<string>? classNames = null, int? expectedClasses = null) =>
        Load(CsvTable.Read(stream, name), labelColumn, classNames, expectedClasses);

    /// <summary>The most classes a label column of <paramref name="rows"/> rows may hold without being forced:
    /// min(50, rows / 5), and never fewer than 2. More distinct values than that (or non-integer numbers) is a
    /// measurement, not a class label: training on it would make dozens of classes of a few examples each.</summary>
    public static int MaxClasses(int rows) => Math.Min(50, Math.Max(2, rows / 5));

    private static CsvData Load(CsvTable table, string? labelColumn, IReadOnlyList<string>? classNames, int? expectedClasses)
    {
        string path = table.Path;
        if (table.Columns < 2) throw new DataFormatException($"{path}: a dataset needs a label column and at least one feature column, the file has {table.Columns} column");
        int label = labelColumn is null ? table.Columns - 1 : table.ColumnIndex(labelColumn);
        int[] featureColumns = [.. Enumerable.Range(0, table.Columns).Where(j => j != label)];

        RefuseControlCharacters(table, label);
        var rawLabels = table.Rows.Select(r => r[label]).ToArray();
        var declared = label == table.Columns - 1 ? table.DeclaredClassNames : null;
        var names = classNames?.ToArray() ?? declared?.ToArray() ?? DistinctClasses(rawLabels);
        if (classNames is null && declared is null) CheckClassRule(table, label, names, expectedClasses);
        if (classNames is null && declared is not null) CheckDeclaredClasses(table, declared, expectedClasses);
        if (names.Length < 2) throw new DataFormatException($"{path}: column '{SafeText.Quote(table.ColumnName(label))}' holds a single class ('{SafeText.Quote(names.FirstOrDefault() ?? "")}'): nothing to learn");
        var labels = Labels(table, label, names);
        var features = ReadFeatures(table, featureColumns);
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        return new CsvData(new Dataset(features, labels, names.Length, names, name), [.. featureColumns.Select(table.ColumnName)], table.ColumnName(label), label);
    }

    /// <summary>Reads <paramref name="path"/> and splits it, stratified and seeded, into training and test sets
    /// (<paramref name="testFraction"/> held out); fits the standardisation on the training set only and applies it to
    /// both. The returned schema is what a saved model needs to read more rows the same way.</summary>
    /// <exception cref="DataFormatException">As <see cref="Load(string, string?, IReadOnlyList{string}?, int?)"/>, or the
    /// file has too few rows to hold out a test set and still train on every class.</exception>
    public static (Dataset Train, Dataset Test, FeatureSchema Schema) LoadSplit(string path, string? labelColumn = null, double testFraction = 0.2, int seed = 0, int? expectedClasses = null)
    {
        var csv = Load(path, labelColumn, expectedClasses: expectedClasses);
        var (train, test) = csv.Data.Split(testFraction, seed);
        if (test.Count == 0)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {csv.Data.Count} rows are too few to hold out a {100 * testFraction:0.#}% test split (no class has enough rows to give one)"));
        }

        var trained = new bool[csv.Data.Classes];
        foreach (int c in train.Labels) trained[c] = true;
        if (Array.IndexOf(trained, false) is var untrained and >= 0)
        {
            throw new DataFormatException(
                $"{path}: class '{SafeText.Quote(csv.Data.ClassNames[untrained])}' has too few rows to keep one for training after holding out a {(100 * testFraction).ToString("0.#", CultureInfo.InvariantCulture)}% test split");
        }

        var standardization = Standardization.Fit(train.Features);
        return (standardization.Apply(train), standardization.Apply(test), new FeatureSchema([.. csv.FeatureNames], csv.LabelColumn, standardization, csv.LabelIndex));
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

    /// <summary>Rows of an already read <paramref name="table"/> as a saved model sees them; see
    /// <see cref="LoadForModel(string, FeatureSchema, IReadOnlyList{string})"/>.</summary>
    /// <exception cref="DataFormatException">The table does not fit the schema, a label is unknown, or a value is not a finite number.</exception>
    public static Dataset LoadForModel(CsvTable table, FeatureSchema schema, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(classNames);
        string path = table.Path;
        // With a header the label column, like the features, is found by its exact name; without one, by its index.
        int label = table.Header is { } header ? IndexOf(header, schema.LabelColumn) : PositionalLabel(table, schema.FeatureNames.Length, schema.LabelColumn, schema.LabelIndex);
        if (table.Header is { } named && named.Count(h => h == schema.LabelColumn) > 1)
            throw new DataFormatException($"{path}: the header names the label column '{SafeText.Quote(schema.LabelColumn)}' more than once: which one holds the labels is not known");
        if (label < 0)
        {
            string columns = table.Header is null
                ? string.Create(CultureInfo.InvariantCulture, $"the file has no header and {table.Columns} columns, not the model's {schema.FeatureNames.Length} features and a label{(table.Columns == schema.FeatureNames.Length + 1 ? " whose place the model records" : "")}")
                : $"the file's header names {SafeText.Quote(string.Join(", ", table.Header))}";
            throw new DataFormatException($"{path}: the model's label column '{SafeText.Quote(schema.LabelColumn)}' is missing ({columns})");
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
        var features = ReadFeatures(table, FeatureColumns(table, schema.FeatureNames, schema.LabelColumn, schema.LabelIndex));
        if (schema.Standardization is not { } z) return features;
        features = z.Apply(features);
        int at = features.FirstNonFinite();
        if (at < 0) return features;
        int row = at / z.Mean.Length, column = at % z.Mean.Length;
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{table.Path}:{table.LineOf(row)}: feature '{schema.FeatureNames[column]}' is {features.GetFlat(at)} once standardised (μ = {z.Mean[column]}, σ = {z.Scale[column]}): beyond the float range"));
    }

    /// <summary>The feature rows of <paramref name="table"/> for a model that takes <paramref name="featureNames"/>.
    /// A file with a header is matched by name only, exactly: the columns may come in any order and extra columns are
    /// ignored, but a feature the header lacks is an error, never a column read in its place. A file without a header is
    /// read by position only when its width is exactly right: the features alone, or (for a model trained on a file
    /// without a header, whose label column is an index) the features and the label where the training file had it.</summary>
    /// <exception cref="DataFormatException">The columns do not fit (the message names the missing features), or a
    /// value is not a finite number.</exception>
    public static Tensor ReadFeatures(CsvTable table, IReadOnlyList<string> featureNames, string? labelColumn)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(featureNames);
        return ReadFeatures(table, FeatureColumns(table, featureNames, labelColumn, labelIndex: null));
    }

    /// <summary>Where each of <paramref name="featureNames"/> is in <paramref name="table"/> (see
    /// <see cref="ReadFeatures(CsvTable, IReadOnlyList{string}, string?)"/>).</summary>
    private static int[] FeatureColumns(CsvTable table, IReadOnlyList<string> featureNames, string? labelColumn, int? labelIndex)
    {
        if (table.Header is { } header)
        {
            var missing = featureNames.Where(n => !header.Contains(n)).ToArray();
            if (missing.Length > 0)
            {
                var caseOnly = missing.Select(n => header.FirstOrDefault(h => string.Equals(h, n, StringComparison.OrdinalIgnoreCase)) is { } h ? $" ('{SafeText.Quote(h)}' differs from '{SafeText.Quote(n)}' in case)" : "").FirstOrDefault(t => t.Length > 0) ?? "";
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{table.Path}: the model's feature column{(missing.Length > 1 ? "s" : "")} {SafeText.Quote(string.Join(", ", missing.Select(n => $"'{n}'")))} {(missing.Length > 1 ? "are" : "is")} missing{caseOnly}; the file's header names {SafeText.Quote(string.Join(", ", header))} (a file with a header is matched by column name)"));
            }

            var repeated = featureNames.FirstOrDefault(n => header.Count(h => h == n) > 1);
            if (repeated is not null) throw new DataFormatException($"{table.Path}: the header names column '{SafeText.Quote(repeated)}' more than once: which one is the feature is not known");
            return [.. featureNames.Select(n => IndexOf(header, n))];
        }

        if (table.Columns == featureNames.Count) return [.. Enumerable.Range(0, table.Columns)];
        if (labelColumn is not null && PositionalLabel(table, featureNames.Count, labelColumn, labelIndex) is var label and >= 0)
            return [.. Enumerable.Range(0, table.Columns).Where(j => j != label)];
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{table.Path}: the file has no header and {table.Columns} columns, but the model takes {featureNames.Count} features ({SafeText.Quote(string.Join(", ", featureNames))}); without a header columns are read by position only when their number is exactly right, so add a header row naming them"));
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
                    throw new DataFormatException($"{table.Path}:{table.LineOf(i)}: column '{SafeText.Quote(table.ColumnName(columns[j]))}' holds '{SafeText.Quote(cell)}', not a finite number");
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
                throw new DataFormatException($"{table.Path}:{table.LineOf(i)}: label '{SafeText.Quote(table.Rows[i][label])}' is not one of the model's classes ({SafeText.Quote(string.Join(", ", classNames))})");
        }

        return labels;
    }

    /// <summary>Where the label is in a file without a header that holds <paramref name="features"/> features and a
    /// label, or −1 when its width says it does not or nothing says where the label is. A model trained on a file
    /// without a header names its label column by index; one trained under a header records the label's place in its
    /// training file (<paramref name="labelIndex"/>, <see cref="FeatureSchema.LabelIndex"/>). A model saved before that
    /// was recorded gives no place, and its label is never guessed.</summary>
    public static int PositionalLabel(CsvTable table, int features, string labelColumn, int? labelIndex = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Header is not null || table.Columns != features + 1) return -1;
        if (int.TryParse(labelColumn, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return index < table.Columns ? index : -1;
        return labelIndex is { } at && at >= 0 && at < table.Columns ? at : -1;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (int j = 0; j < header.Count; j++) if (header[j] == name) return j;
        return -1;
    }

    /// <summary>Refuses a label column that looks like a measurement: more distinct values than
    /// <see cref="MaxClasses"/>, or numbers that are not whole; unless <paramref name="expectedClasses"/> says how many
    /// classes there are, which must then be the number found.</summary>
    private static void CheckClassRule(CsvTable table, int label, string[] names, int? expectedClasses)
    {
        string column = SafeText.Quote(table.ColumnName(label));
        if (expectedClasses is { } expected)
        {
            if (names.Length != expected)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{table.Path}: {expected} classes were asked for, but column '{column}' holds {names.Length} distinct labels"));
            return;
        }

        int allowed = MaxClasses(table.Rows.Count);
        string force = string.Create(CultureInfo.InvariantCulture, $"choose the class column with --label-column, or give --classes {names.Length} to train on {names.Length} classes anyway");
        if (names.Length > allowed)
        {
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{table.Path}: column '{column}' holds {names.Length} distinct labels in {table.Rows.Count} rows, more than the {allowed} classes allowed (min(50, rows/5)): it looks like a measurement, not a class; {force}"));
        }

        var fractional = names.FirstOrDefault(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v != Math.Floor(v));
        if (fractional is not null)
        {
            throw new DataFormatException(
                $"{table.Path}: column '{column}' holds numbers that are not whole (such as '{SafeText.Quote(fractional)}'): a measurement, not a class label; {force}");
        }
    }

    /// <summary>Refuses class names declared by a scikit-learn first line that could not be told apart or printed: a
    /// name twice (its rows would merge into one class), a control character or a name too long; and a count other
    /// than <paramref name="expectedClasses"/> when one was given.</summary>
    private static void CheckDeclaredClasses(CsvTable table, IReadOnlyList<string> declared, int? expectedClasses)
    {
        string where = $"{table.Path}:1: the first line (scikit-learn's layout) declares";
        if (declared.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new DataFormatException($"{where} class '{SafeText.Quote(twice.Key)}' twice");
        if (declared.FirstOrDefault(n => SafeText.HasControlCharacter(n) || n.Length > Dataset.MaxClassNameLength) is { } bad)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{where} class '{SafeText.Quote(bad)}', which holds a control character or is longer than {Dataset.MaxClassNameLength} characters"));
        if (expectedClasses is { } expected && expected != declared.Count)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{where} {declared.Count} classes, not the {expected} of --classes"));
    }

    /// <summary>Refuses a label holding a control character (a NUL byte, an ESC): it would make a class of its own that
    /// no printout can show; and one longer than <see cref="Dataset.MaxClassNameLength"/>, which a saved model would
    /// carry into every printout.</summary>
    private static void RefuseControlCharacters(CsvTable table, int label)
    {
        for (int i = 0; i < table.Rows.Count; i++)
        {
            string cell = table.Rows[i][label];
            if (SafeText.HasControlCharacter(cell))
                throw new DataFormatException($"{table.Path}:{table.LineOf(i)}: label '{SafeText.Quote(cell)}' holds a control character");
            if (cell.Length > Dataset.MaxClassNameLength)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{table.Path}:{table.LineOf(i)}: label '{SafeText.Quote(cell)}' is longer than the {Dataset.MaxClassNameLength} characters a class name may have"));
        }
    }

    private static string[] DistinctClasses(string[] labels)
    {
        var distinct = labels.Distinct(StringComparer.Ordinal).ToArray();
        return distinct.All(CsvTable.IsNumber)
            ? [.. distinct.OrderBy(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture))]
            : [.. distinct.Order(StringComparer.Ordinal)];
    }
}
