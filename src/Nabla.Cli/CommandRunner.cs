using Nabla.Data;

namespace Nabla.Cli;

/// <summary>Runs a command's body and turns every expected failure into one line on stderr and a non-zero exit code,
/// never a stack trace.</summary>
internal static class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, as shells report it), after saving a checkpoint.</summary>
    public const int Interrupted = 130;

    public static int Run(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            error.WriteLine($"nabla: error: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException
                                   or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            error.WriteLine($"nabla: error: {OneLine(e.Message)}");
            return Failure;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
