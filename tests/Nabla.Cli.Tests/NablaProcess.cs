using System.Diagnostics;

namespace Nabla.Cli.Tests;

/// <summary>Runs the built <c>nabla</c> command (Nabla.Cli.dll beside the tests) as a child process.</summary>
internal static class NablaProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    /// <summary>Runs the command to its end with extra environment variables (e.g. a GC heap limit).</summary>
    public static Result Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nabla {string.Join(' ', args)} did not finish in 5 minutes");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts the command without waiting, with its output redirected and extra environment variables, for
    /// tests that interrupt it.</summary>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
