using Nabla.Training;

namespace Nabla.Cli.Tests;

public sealed class TrainingProgressTests
{
    private static BatchProgress At(int batch, int batches, int samples) =>
        new(Epoch: 2, Epochs: 5, batch, batches, samples, TotalSamples: 1000, Loss: 0.5, Accuracy: 0.8125, Seconds: 0.25);

    [Fact]
    public void A_live_terminal_redraws_a_bar_in_place_and_the_epoch_line_replaces_it()
    {
        var output = new StringWriter();
        var progress = new TrainingProgress(output, live: true, epochs: 5, watchedName: "test", width: 160);
        progress.OnBatchEnd(null!, At(1, 4, 250));
        progress.OnBatchEnd(null!, At(4, 4, 1000));   // the last batch is always drawn
        progress.OnEpochEnd(null!, new EpochResult(2, 0.5, 0.8125, 0.4, 0.85, 1.0), []);

        var text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r') - 1);   // two redraws, then the clear before the epoch line
        Assert.Equal(2, text.Split("\u001b[K\r").Length - 1);   // each redraw erases what a longer one before it left
        Assert.Contains("epoch   2/5 [", text, StringComparison.Ordinal);
        Assert.Contains("samples/s", text, StringComparison.Ordinal);
        Assert.Contains("ETA 0:00", text, StringComparison.Ordinal);
        Assert.Contains("acc 81.25%", text, StringComparison.Ordinal);
        Assert.EndsWith("\u001b[2Kepoch   2/5  loss 0.5000  train 81.25%  test 85.00%  1.0 s" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_or_quiet_output_gets_only_the_plain_epoch_lines()
    {
        var output = new StringWriter();
        var progress = new TrainingProgress(output, live: false, epochs: 5, watchedName: "validation");
        progress.OnBatchEnd(null!, At(4, 4, 1000));
        progress.OnEpochEnd(null!, new EpochResult(2, 0.5, 0.8125, 0.4, 0.85, 1.0), []);
        Assert.Equal("epoch   2/5  loss 0.5000  train 81.25%  validation 85.00%  1.0 s" + Environment.NewLine, output.ToString());
    }

    [Theory]
    [InlineData(0, "[........................................]")]
    [InlineData(500, "[===================>....................]")]
    [InlineData(1000, "[========================================]")]
    public void The_bar_fills_with_the_epoch_and_fits_the_terminal(int samples, string bar)
    {
        var line = TrainingProgress.BarLine(At(1, 4, samples), width: 200);
        Assert.Contains(bar, line, StringComparison.Ordinal);
        var narrow = TrainingProgress.BarLine(At(1, 4, samples), width: 80);
        Assert.True(narrow.Length < 80, narrow);
        Assert.EndsWith("acc 81.25%", narrow, StringComparison.Ordinal);
    }
}
