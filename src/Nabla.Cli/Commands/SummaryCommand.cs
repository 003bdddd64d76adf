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
            Module network;
            int inputs;
            var path = result.GetValue(model);
            if (path is not null)
            {
                if (!Directory.Exists(path) && !File.Exists(path)) throw new UsageException($"--model: '{path}' does not exist");
                var (loaded, description) = ModelStore.Load(path);
                (network, inputs) = (loaded, description.InputFeatures);
                // A network saved from an architecture description is named by it; an Mlp by its widths.
                Console.Out.WriteLine(description.Architecture ?? network.Describe());
            }
            else
            {
                int classes;
                (inputs, classes) = DatasetChoice.Dimensions(DatasetChoice.Validate(result.GetValue(dataset)!));
                var act = OptionParsing.Parse(result.GetValue(activation)!, "--activation", ActivationExtensions.Parse);
                network = new Mlp(new MlpSpec(inputs, OptionParsing.ParseHidden(result.GetValue(hidden)!), classes, act));
                Console.Out.WriteLine(network.Describe());
            }

            // The layers for one flat input row.
            Console.Out.WriteLine(ModelSummary.Of(network, [1, inputs], network.Parameters().First().DType));
            return CommandRunner.Success;
        }));
        return command;
    }
}
