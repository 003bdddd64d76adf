using System.Diagnostics;
using System.Globalization;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Cli;

/// <summary>What <c>nabla train</c> shows while it works. Live, it redraws one line per epoch after each mini-batch
/// (a bar, samples/s, time left, running loss and accuracy), at most ten times a second; at the epoch's end the bar
/// gives way to the epoch's summary line. Not live (output redirected, <c>--quiet</c>, a dumb terminal) it writes only
/// the summary lines, so logs stay clean.</summary>
internal sealed class TrainingProgress(TextWriter output, bool live, int epochs, string watchedName, int? width = null) : ITrainingCallback
{
    private const double RedrawSeconds = 0.1;
    private const string ClearToEndOfLine = "\u001b[K";
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private bool _drawn;

    /// <summary>Whether a live bar suits standard output: a terminal that is not redirected and not "dumb".</summary>
    public static bool TerminalIsLive =>
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    public void OnBatchEnd(Trainer trainer, BatchProgress progress)
    {
        if (!live) return;
        bool last = progress.Batch == progress.Batches;
        if (_drawn && !last && _sinceRedraw.Elapsed.TotalSeconds < RedrawSeconds) return;
        output.Write('\r');
        output.Write(BarLine(progress, width ?? LineWidth()));
        output.Write(ClearToEndOfLine);   // a redraw can be shorter than the last (a rate or an ETA losing a digit)
        output.Flush();
        _drawn = true;
        _sinceRedraw.Restart();
    }

    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_drawn) output.Write("\r\u001b[2K");
        _drawn = false;
        string watched = result.ValidationAccuracy is { } accuracy
            ? string.Create(CultureInfo.InvariantCulture, $"  {watchedName} {100 * accuracy:F2}%")
            : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {result.Epoch,3}/{epochs}  loss {result.Loss:F4}  train {100 * result.TrainAccuracy:F2}%{watched}  {result.Seconds:F1} s"));
        return false;
    }

    /// <summary>One redraw: <c>epoch  3/10 [=========>..........]  45%  27,136/60,000  38,211/s  ETA 0:01  loss 0.4213  acc 85.12%</c>,
    /// the bar shrinking to fit <paramref name="width"/>.</summary>
    internal static string BarLine(BatchProgress p, int width)
    {
        var c = CultureInfo.InvariantCulture;
        double fraction = p.TotalSamples > 0 ? (double)p.Samples / p.TotalSamples : 1;
        string head = string.Create(c, $"epoch {p.Epoch,3}/{p.Epochs} ");
        string counts = $"{p.Samples.ToString("N0", c)}/{p.TotalSamples.ToString("N0", c)}  ";
        string rate = p.SamplesPerSecond.ToString("N0", c);
        string tail = string.Create(c,
            $" {100 * fraction,3:F0}%  {counts}{rate} samples/s  ETA {Clock(p.SecondsLeft)}  loss {p.Loss:F4}  acc {100 * p.Accuracy:F2}%");

        // A narrow terminal loses the counts and the shortest bar before it loses the loss and accuracy.
        if (head.Length + tail.Length + 12 > width)
            tail = string.Create(c, $" {100 * fraction,3:F0}%  {rate}/s  ETA {Clock(p.SecondsLeft)}  loss {p.Loss:F4}  acc {100 * p.Accuracy:F2}%");
        int barWidth = Math.Clamp(width - head.Length - tail.Length - 3, 10, 40);
        int filled = (int)Math.Round(fraction * barWidth);
        string bar = filled >= barWidth
            ? new string('=', barWidth)
            : new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string('.', barWidth - filled);
        string line = $"{head}[{bar}]{tail}";
        return line.Length < width ? line : line[..Math.Max(0, width - 1)];
    }

    private static string Clock(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:D2}");
    }

    private static int LineWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
