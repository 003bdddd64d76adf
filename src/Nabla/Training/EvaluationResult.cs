using System.Globalization;
using System.Text;
using Nabla.Data;

namespace Nabla.Training;

/// <summary>A model's performance on a dataset.</summary>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Loss">Mean loss.</param>
/// <param name="ConfusionMatrix">Counts [true class, predicted class].</param>
/// <param name="ClassNames">A name per class.</param>
public sealed record EvaluationResult(double Accuracy, double Loss, int[,] ConfusionMatrix, IReadOnlyList<string> ClassNames)
{
    /// <summary>"accuracy 96.10%, loss 0.1234", the same under every culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"accuracy {100 * Accuracy:F2}%, loss {Loss:F4}");

    /// <summary>The confusion matrix as a table: rows are true classes, columns predicted ones. Columns are headed by
    /// class numbers; each row by its number and, where the class has a name other than its number, the name.</summary>
    public string FormatConfusionMatrix()
    {
        int c = ClassNames.Count;
        int width = Math.Max(5, ConfusionMatrix.Cast<int>().Max().ToString(CultureInfo.InvariantCulture).Length + 1);
        var rowLabels = Enumerable.Range(0, c).Select(RowLabel).ToArray();
        int labelWidth = Math.Max("true \\ predicted".Length, rowLabels.Max(l => l.Length));
        var sb = new StringBuilder();
        sb.Append("true \\ predicted".PadRight(labelWidth));
        for (int j = 0; j < c; j++) sb.Append(j.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        sb.AppendLine();
        for (int i = 0; i < c; i++)
        {
            sb.Append(rowLabels[i].PadRight(labelWidth));
            for (int j = 0; j < c; j++) sb.Append(ConfusionMatrix[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>A row's label: the class's number, which heads its column, and its name unless the name is that number
    /// (classes without names are numbered, and "0 0" said nothing twice).</summary>
    private string RowLabel(int i)
    {
        string number = i.ToString(CultureInfo.InvariantCulture);
        string name = ClassNames[i];
        if (name == number) return number.PadLeft(2);
        // A name comes from a file: escaped, so that it cannot reach the terminal raw, and cut to keep the table narrow.
        name = SafeText.Escape(name.Length > 14 ? name[..14] : name);
        return $"{number,2} {name}";
    }
}
