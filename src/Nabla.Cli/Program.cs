using System.CommandLine;
using System.CommandLine.Help;
using Nabla.Cli.Commands;

namespace Nabla.Cli;

/// <summary>The <c>nabla</c> command: train, eval, predict, gradcheck, summary, bench, export, demo.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // A plain Command named "nabla" rather than RootCommand, whose name is the entry assembly's (Nabla.Cli):
        // help must say `nabla` however the command is started (installed tool, dotnet run, dotnet Nabla.Cli.dll).
        var root = new Command("nabla", "Nabla: train and check neural networks in .NET")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(),
            EvalCommand.Create(),
            GradCheckCommand.Create(),
            SummaryCommand.Create(),
            BenchCommand.Create(),
            ExportCommand.Create(),
            PredictCommand.Create(),
            DemoCommand.Create(),
        };
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);

        // A mistyped option gets one line naming it, not a screen of help; --help is there for that.
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var path = command == root ? "nabla" : $"nabla {command.Name}";
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            Console.Error.WriteLine($"nabla: error: {CommandRunner.OneLine(error.Message)} (see '{path} --help')");
            return CommandRunner.UsageError;
        }

        return parsed.Invoke();
    }
}
