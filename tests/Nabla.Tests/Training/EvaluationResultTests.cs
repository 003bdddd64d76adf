using Nabla.Training;

namespace Nabla.Tests.Training;

public sealed class EvaluationResultTests
{
    [Fact]
    public void The_text_confusion_matrix_labels_numbered_classes_once()
    {
        var result = new EvaluationResult(12.0 / 15, 0.5, new[,] { { 5, 1 }, { 2, 7 } }, ["0", "1"]);
        Assert.Equal(
            string.Join(Environment.NewLine, "true \\ predicted    0    1", " 0                  5    1", " 1                  2    7"),
            result.FormatConfusionMatrix());
    }

    [Fact]
    public void The_text_confusion_matrix_names_named_classes_beside_their_number_escaped()
    {
        var result = new EvaluationResult(1, 0.1, new[,] { { 3, 0 }, { 0, 4 } }, ["cat", "d\u001B]0;x\u0007og"]);
        var lines = result.FormatConfusionMatrix().Split(Environment.NewLine);
        Assert.Matches(@"^true \\ predicted +0 +1$", lines[0]);
        Assert.Matches(@"^ 0 cat +3 +0$", lines[1]);
        Assert.StartsWith(" 1 d\\u001B]0;x\\u0007og", lines[2], StringComparison.Ordinal);
    }
}
