using System.CommandLine;
using System.Globalization;
using Nabla.Data.Datasets;
using Nabla.Pictures;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla demo boundary</c>: the lecture's opening pictures — what one hidden unit, two, and many can
/// separate on 2-D toy data — as a PNG of the decision regions.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var hidden = NumericOptions.Int("--hidden", "hidden units in the one hidden layer (try 1, 2 and 50) [default: 50]");
        var dataset = new Option<string>("--dataset") { Description = "spiral (three arms), moons or circles", DefaultValueFactory = _ => "spiral" };
        var epochs = NumericOptions.Int("--epochs", "passes over the 2-D data [default: 1000]");
        var seed = NumericOptions.Int("--seed", "seeds the data, the initialisation and the shuffling [default: 0]");
        var output = new Option<string?>("--out") { Description = "the PNG to write [default: boundary-DATASET-HIDDEN.png]" };
        var boundary = new Command("boundary", "Train a one-hidden-layer network on 2-D toy data and draw its decision regions") { hidden, dataset, epochs, seed, output };
        boundary.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            var name = result.GetValue(dataset)!.ToLowerInvariant();
            if (!ToyData.Names.Contains(name)) throw new UsageException($"--dataset: unknown toy dataset '{name}' (expected spiral, moons or circles)");
            int units = OptionParsing.AtLeast(result.GetValue(hidden) ?? 50, 1, "--hidden");
            int passes = OptionParsing.AtLeast(result.GetValue(epochs) ?? 1000, 1, "--epochs");
            string path = result.GetValue(output) ?? $"boundary-{name}-{units}.png";
            var (model, data, accuracy) = BoundaryDemo.Train(name, units, passes, result.GetValue(seed) ?? 0);
            string title = string.Create(CultureInfo.InvariantCulture, $"{name}, {units} hidden unit{(units == 1 ? "" : "s")}: {100 * accuracy:F1}% of the points right");
            DecisionRegions.Save(model, data, path, title);
            Console.Out.WriteLine($"{title}; wrote {path}");
            return CommandRunner.Success;
        }));
        return new Command("demo", "Demonstrations from the lecture") { boundary };
    }
}
