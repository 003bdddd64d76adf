using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>The one-line texts of an epoch and an evaluation, which the README prints: the same words and digits under
/// every culture (a record's generated ToString would list its properties in the current culture).</summary>
public sealed class ResultTextTests
{
    [Fact]
    public void An_epoch_reads_as_one_line_with_percentages_and_a_decimal_point()
    {
        Assert.Equal("epoch 3: loss 0.1235, train accuracy 95.1%, validation loss 0.2346, validation accuracy 96.1%, 0.41 s",
            new EpochResult(3, 0.12345, 0.951, 0.23456, 0.961, 0.4123).ToString());
        Assert.Equal("epoch 1: loss 2.0000, train accuracy 10.0%, 1.00 s", new EpochResult(1, 2, 0.1, null, null, 1).ToString());
    }

    [Fact]
    public void An_evaluation_reads_as_its_accuracy_and_loss()
    {
        Assert.Equal("accuracy 96.10%, loss 0.1249", new EvaluationResult(0.961, 0.12494, new int[2, 2], ["a", "b"]).ToString());
    }
}
