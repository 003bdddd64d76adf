using System.Text.RegularExpressions;
using Nabla.Data;

namespace Nabla.Cli;

/// <summary>Runs a command's body and turns every expected failure into one line on stderr and a non-zero exit code,
/// never a stack trace.</summary>
internal static partial class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it), after saving a checkpoint.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs <paramref name="body"/>; an expected failure is one line on <paramref name="error"/> and a non-zero
    /// code. With <paramref name="quiet"/>, failures it accepts are not printed (a rank of a data-parallel run other than
    /// rank 0 leaves to rank 0 the errors every rank meets alike); <paramref name="label"/> goes after "error" (a rank's
    /// own failure names the rank).</summary>
    public static int Run(TextWriter error, Func<int> body, Func<Exception, bool>? quiet = null, string label = "")
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            if (quiet?.Invoke(e) != true) error.WriteLine($"nabla: error{label}: {OneLine(e.Message)}");
            return UsageError;
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException
                                   or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            if (quiet?.Invoke(e) != true) error.WriteLine($"nabla: error{label}: {OneLine(e.Message)}");
            return Failure;
        }
        catch (Exception e) when (e is ILGPU.Runtime.AcceleratorException or ILGPU.Runtime.Cuda.CuBlasException)
        {
            // The GPU refused something mid-run (its memory full, a launch the driver rejected): one line naming it.
            if (quiet?.Invoke(e) != true) error.WriteLine($"nabla: error{label}: the GPU failed: {OneLine(e.Message)} (try a smaller batch or network, or --device cpu)");
            return Failure;
        }
        catch (OutOfMemoryException)
        {
            // The run's estimate is checked before anything large is allocated, but it is an estimate, and a process
            // limit may be lower than the machine's memory: one line rather than a stack trace.
            error.WriteLine("nabla: error: out of memory: the run needs more memory than this process may use (try a smaller network, a smaller batch, or fewer threads)");
            return Failure;
        }
    }

    /// <summary>The longest error line printed: a message that quotes a file is cut well before it floods the terminal.</summary>
    public const int MaxMessageLength = 600;

    /// <summary>The message as one safe line: line breaks become spaces, any other control character that a file's text
    /// carried in (ESC, BEL) is escaped, a quoted value longer than <see cref="SafeText.QuoteLength"/> characters is
    /// cut to that (wherever in the library it was quoted from, a model.json field or a tensor name), and a message
    /// longer than <see cref="MaxMessageLength"/> is cut.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = LongQuote().Replace(message.ReplaceLineEndings(" "), m => m.Groups[1].Value.EndsWith(" characters)", StringComparison.Ordinal) ? m.Value : $"'{SafeText.Quote(m.Groups[1].Value)}'");   // a quote the library already cut stays as it is
        line = SafeText.Escape(line);
        return line.Length <= MaxMessageLength ? line : string.Concat(line.AsSpan(0, MaxMessageLength), "…");
    }

    /// <summary>A value in single quotes, longer than a quote may be: the opening quote follows a space or bracket and the
    /// closing one precedes a space or punctuation, so that an apostrophe in the prose ("model's") starts nothing.</summary>
    [GeneratedRegex(@"(?<=^|[\s(\[=:,])'([^']{81,}?)'(?=$|[\s)\].,;:])")]
    private static partial Regex LongQuote();
}
