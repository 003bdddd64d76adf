using System.CommandLine;
using Nabla.Serialization;
using Nabla.Serialization.Onnx;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla export</c>: a saved model written as an ONNX file, for ONNX Runtime and other ONNX tools.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "folder of a model saved by 'nabla train'", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "the .onnx file to write (replaced if it exists)", Required = true };
        var command = new Command("export", "Export a saved model to ONNX (opset 17): input 'input' (batch, features), output 'logits'") { model, onnx };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            var path = result.GetValue(model)!;
            var output = result.GetValue(onnx)!;
            if (!Directory.Exists(path) && !File.Exists(path)) throw new UsageException($"--model: '{path}' does not exist");
            if (string.IsNullOrWhiteSpace(output)) throw new UsageException("--onnx: the output file name is empty");
            if (Directory.Exists(output)) throw new UsageException($"--onnx: '{output}' is a folder; give a file name such as model.onnx");

            // Saved networks take flat rows of InputFeatures values (image models unflatten them first). A CSV model's
            // standardisation goes into the graph, so that it takes the raw rows `nabla predict` takes.
            var (network, description) = ModelStore.Load(path);
            string architecture = description.Architecture ?? network.Describe();
            var summary = OnnxExporter.Export(network, [description.InputFeatures], output, OnnxExportOptions.For(description, architecture));
            Console.Out.WriteLine(
                $"wrote {output}: {architecture} as ONNX opset {OnnxExporter.OpsetVersion}, " +
                $"input '{OnnxExporter.InputName}' (batch, {string.Join(", ", summary.InputShape)}) → '{OnnxExporter.OutputName}' " +
                $"(batch, {string.Join(", ", summary.OutputShape)}), {summary.Nodes} nodes" +
                (description.Features?.Standardization is null ? "" : "; raw feature values in: the standardisation is part of the graph"));
            return CommandRunner.Success;
        }));
        return command;
    }
}
