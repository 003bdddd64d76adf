using System.CommandLine;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Serialization;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla summary</c>: the layer table and parameter counts of a network given by options or a saved model.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "folder of a saved model (instead of the options below)" };
        var dataset = new Option<string>("--dataset") { Description = "digits or fashion-mnist: fixes the input and output widths", DefaultValueFactory = _ => DatasetChoice.Digits };
        var hidden = new Option<string>("--hidden") { Description = "hidden layer widths, comma-separated", DefaultValueFactory = _ => "128" };
        var activation = new Option<string>("--activation") { Description = "relu, tanh, sigmoid, leaky-relu, elu, silu, softplus or gelu", DefaultValueFactory = _ => "relu" };
        var command = new Command("summary", "Show a network's layers, output shapes and parameter counts") { model, dataset, hidden, activation };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            Mlp network;
            var path = result.GetValue(model);
            if (path is not null)
            {
                if (!Directory.Exists(path) && !File.Exists(path)) throw new UsageException($"--model: '{path}' does not exist");
                var (loaded, description) = ModelStore.Load(path);
                if (loaded is Sequential sequence)
                {
                    // A network saved from an architecture description: its layers, for one flat input row.
                    Console.Out.WriteLine(description.Architecture);
                    Console.Out.WriteLine(ModelSummary.Of(sequence, [1, description.InputFeatures], loaded.Parameters().First().DType, prefix: ""));
                    return CommandRunner.Success;
                }

                network = (Mlp)loaded;
            }
            else
            {
                var (inputs, classes) = DatasetChoice.Dimensions(DatasetChoice.Validate(result.GetValue(dataset)!));
                var act = OptionParsing.Parse(result.GetValue(activation)!, "--activation", ActivationExtensions.Parse);
                network = new Mlp(new MlpSpec(inputs, OptionParsing.ParseHidden(result.GetValue(hidden)!), classes, act));
            }

            Console.Out.WriteLine(network.Describe());
            Console.Out.WriteLine(network.Summary());
            return CommandRunner.Success;
        }));
        return command;
    }
}
