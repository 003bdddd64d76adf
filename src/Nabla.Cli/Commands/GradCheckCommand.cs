using System.CommandLine;
using System.Globalization;
using Nabla.GradientChecking;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla gradcheck</c>: builds networks in float64 and compares, per parameter, the backpropagated gradient
/// with centred finite differences, like the lecture's numerical-versus-analytic slide. Without --activation, --loss or a
/// penalty it checks every activation × every loss × {no penalty, L2, L1}.</summary>
internal static class GradCheckCommand
{
    private static readonly string[] AllActivations = ["relu", "tanh", "sigmoid", "leaky-relu", "elu", "silu", "softplus", "gelu"];
    private static readonly string[] AllLosses = ["cross-entropy", "mse", "hinge"];

    public static Command Create()
    {
        var hidden = new Option<string>("--hidden") { Description = "hidden layer widths", DefaultValueFactory = _ => "6,5" };
        var activation = new Option<string?>("--activation") { Description = "one activation (default: all)" };
        var loss = new Option<string?>("--loss") { Description = "one loss (default: all)" };
        var l2 = NumericOptions.Double("--l2", "λ of an L2 penalty (default: check none, L2 0.01 and L1 0.01)");
        var l1 = NumericOptions.Double("--l1", "λ of an L1 penalty");
        var inputs = NumericOptions.Int("--inputs", "input width of the network [default: 8]");
        var classes = NumericOptions.Int("--classes", "number of classes [default: 4]");
        var batch = NumericOptions.Int("--batch-size", "examples in the random batch [default: 5]");
        var seed = NumericOptions.Int("--seed", "seeds the network and the data [default: 0]");
        var step = NumericOptions.Double("--step", "h of the centred difference [default: 1e-5]");
        var tolerance = NumericOptions.Double("--tolerance", "largest relative error that passes [default: 1e-6]");
        var command = new Command("gradcheck", "Check backpropagation against finite differences in float64")
        {
            hidden, activation, loss, l2, l1, inputs, classes, batch, seed, step, tolerance,
        };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            var widths = OptionParsing.ParseHidden(result.GetValue(hidden)!);
            var activations = (result.GetValue(activation) is { } a ? [a] : AllActivations)
                .Select(n => OptionParsing.Parse(n, "--activation", ActivationExtensions.Parse)).ToArray();
            var losses = (result.GetValue(loss) is { } l ? [l] : AllLosses)
                .Select(n => OptionParsing.Parse(n, "--loss", Loss.Parse)).ToArray();
            var penalties = Penalties(result.GetValue(l2), result.GetValue(l1));
            int d = OptionParsing.AtLeast(result.GetValue(inputs) ?? 8, 1, "--inputs");
            int c = OptionParsing.AtLeast(result.GetValue(classes) ?? 4, 2, "--classes");
            int b = OptionParsing.AtLeast(result.GetValue(batch) ?? 5, 1, "--batch-size");
            var options = new GradientCheckOptions(
                OptionParsing.Positive(result.GetValue(step) ?? 1e-5, "--step"),
                OptionParsing.Positive(result.GetValue(tolerance) ?? 1e-6, "--tolerance"),
                Seed: result.GetValue(seed) ?? 0);

            int failed = 0, total = 0;
            foreach (var act in activations)
            {
                foreach (var lossFunction in losses)
                {
                    foreach (var (penaltyName, regularizers) in penalties)
                    {
                        var report = CheckOne(new MlpSpec(d, widths, c, act, DType.Float64), lossFunction, regularizers, b, options);
                        total++;
                        if (!report.Passed) failed++;
                        Console.Out.WriteLine($"== {act.Name()} hidden layers, {lossFunction.Name} loss, {penaltyName}");
                        Console.Out.WriteLine(report);
                        Console.Out.WriteLine();
                    }
                }
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total - failed} of {total} checks passed"));
            return failed == 0 ? CommandRunner.Success : CommandRunner.Failure;
        }));
        return command;
    }

    private static List<(string Name, Regularizer[] Regularizers)> Penalties(double? l2, double? l1)
    {
        if (l2 is null && l1 is null)
            return [("no penalty", []), ("L2 penalty 0.01", [new L2Regularizer(0.01)]), ("L1 penalty 0.01", [new L1Regularizer(0.01)])];
        var list = new List<Regularizer>();
        var names = new List<string>();
        if (l2 is { } a)
        {
            list.Add(new L2Regularizer(OptionParsing.NonNegative(a, "--l2")));
            names.Add(string.Create(CultureInfo.InvariantCulture, $"L2 penalty {a}"));
        }

        if (l1 is { } b)
        {
            list.Add(new L1Regularizer(OptionParsing.NonNegative(b, "--l1")));
            names.Add(string.Create(CultureInfo.InvariantCulture, $"L1 penalty {b}"));
        }

        return [(string.Join(" + ", names), [.. list])];
    }

    /// <summary>The gradient check of one network on a random batch: x ~ N(0, 1), labels uniform over the classes.</summary>
    public static GradientCheckReport CheckOne(MlpSpec spec, Loss loss, Regularizer[] regularizers, int batchSize, GradientCheckOptions options)
    {
        var model = new Mlp(spec, options.Seed);
        var random = new Random(options.Seed + 1);
        var x = Tensor.Normal([batchSize, spec.Inputs], 0, 1, random, DType.Float64);
        var labels = Enumerable.Range(0, batchSize).Select(_ => random.Next(spec.Outputs)).ToArray();
        return GradientChecker.Check(() =>
        {
            var objective = loss.Compute(model.Forward(x), labels);
            foreach (var r in regularizers) objective += r.Penalty(model);
            return objective;
        }, model.NamedParameters(), options);
    }
}
