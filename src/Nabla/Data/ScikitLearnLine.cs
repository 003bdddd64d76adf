using System.Globalization;

namespace Nabla.Data;

/// <summary>The first line of scikit-learn's bundled CSV files (iris, wine, breast cancer): the number of rows, the
/// number of features, then the class names, e.g. <c>150,4,setosa,versicolor,virginica</c>. The rows that follow hold the
/// features and, last, the class index.</summary>
/// <param name="Rows">The data rows announced.</param>
/// <param name="Features">The feature columns announced; each row has one more cell, the label.</param>
/// <param name="ClassNames">The classes, in index order.</param>
internal sealed record ScikitLearnLine(int Rows, int Features, string[] ClassNames)
{
    /// <summary>The cells of each data row: the features and the label.</summary>
    public int Columns => Features + 1;

    /// <summary>The line, if <paramref name="cells"/> has its shape: two whole numbers (rows ≥ 1, features ≥ 1), then at
    /// least two class names, none of them a number.</summary>
    public static ScikitLearnLine? Parse(string[] cells)
    {
        if (cells.Length < 4) return null;
        if (!int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rows) || rows < 1) return null;
        if (!int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out int features) || features < 1 || features >= CsvTable.MaxColumns) return null;
        var names = cells[2..];
        if (names.Any(n => n.Length == 0 || CsvTable.IsNumber(n))) return null;
        return new ScikitLearnLine(rows, features, names);
    }

    /// <summary>"150 rows, 4 features, classes setosa, versicolor, virginica".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Rows} rows, {Features} features, classes {SafeText.Quote(string.Join(", ", ClassNames))}");
}
