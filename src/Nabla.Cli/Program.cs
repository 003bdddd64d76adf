using System.CommandLine;
using Nabla.Cli.Commands;

namespace Nabla.Cli;

/// <summary>The <c>nabla</c> command: train, eval, gradcheck, summary.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Nabla: train and check neural networks in .NET")
        {
            TrainCommand.Create(),
            EvalCommand.Create(),
            GradCheckCommand.Create(),
            SummaryCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
