using System.Diagnostics;

namespace Nabla.Distributed.Tests;

/// <summary>Starts the programs beside the tests (the test host, the nabla command) as one process or as N ranks under
/// mpirun, and collects their exit code and output.</summary>
internal static class MpiRun
{
    public sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed);

    /// <summary>mpirun's path, or null when Open MPI is not installed.</summary>
    public static string? Mpirun { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>The flags every test run needs: CI runs as root, and 3 ranks on 2 cores oversubscribe.</summary>
    private static readonly string[] Flags = ["--allow-run-as-root", "--oversubscribe", "-x", "TERM=dumb"];

    public static string Dll(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    /// <summary><c>mpirun -np N dotnet DLL ARGS</c>.</summary>
    public static Result Ranks(int ranks, string dll, IReadOnlyList<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Wait(StartRanks(ranks, dll, args, workingDirectory, environment));

    public static Process StartRanks(int ranks, string dll, IReadOnlyList<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var mpirun = Mpirun ?? throw new InvalidOperationException("mpirun is not installed (apt-get install openmpi-bin)");
        return Start(mpirun, [.. Flags, "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", dll, .. args], workingDirectory, environment);
    }

    /// <summary>mpirun with arguments as given (a multi-program line: <c>-np 1 A : -np 1 B</c>).</summary>
    public static Result Raw(IReadOnlyList<string> args, string? workingDirectory = null) =>
        Wait(Start(Mpirun ?? throw new InvalidOperationException("mpirun is not installed"), [.. Flags, .. args], workingDirectory, null));

    /// <summary><c>dotnet DLL ARGS</c>, one process without mpirun.</summary>
    public static Result Alone(string dll, IReadOnlyList<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Wait(Start("dotnet", [dll, .. args], workingDirectory, environment));

    public static Process Start(string program, IReadOnlyList<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static Result Wait(Process process, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish in time");
        }

        var result = new Result(process.ExitCode, output.Result, error.Result, clock.Elapsed);
        process.Dispose();
        return result;
    }
}
