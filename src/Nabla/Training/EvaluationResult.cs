using System.Globalization;
using System.Text;

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

    /// <summary>The confusion matrix as a table: rows are true classes, columns predicted ones.</summary>
    public string FormatConfusionMatrix()
    {
        int c = ClassNames.Count;
        int width = Math.Max(5, ConfusionMatrix.Cast<int>().Max().ToString(CultureInfo.InvariantCulture).Length + 1);
        var rowLabels = Enumerable.Range(0, c)
            .Select(i => $"{i,2} {(ClassNames[i].Length > 14 ? ClassNames[i][..14] : ClassNames[i])}")
            .ToArray();
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
}
