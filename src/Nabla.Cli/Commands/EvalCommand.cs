using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.Serialization;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla eval</c>: a saved model's accuracy and confusion matrix on a dataset's test split.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "folder of a model saved by 'nabla train'", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "digits or fashion-mnist (default: the one the model was trained on)" };
        var data = new Option<string?>("--data") { Description = "folder holding the dataset's files; for a model trained on a CSV file, a CSV file with the same columns (every row is scored)" };
        var command = new Command("eval", "Evaluate a saved model: accuracy and confusion matrix") { model, dataset, data };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            var path = result.GetValue(model)!;
            if (!Directory.Exists(path) && !File.Exists(path)) throw new UsageException($"--model: '{path}' does not exist");
            var (network, description) = ModelStore.Load(path);
            Dataset test;
            if (description.Features is { } schema)
            {
                var file = result.GetValue(data);
                if (!DatasetChoice.IsCsvFile(file)) throw new UsageException("--data FILE.csv is needed: the model was trained on a CSV file");
                var table = CsvTable.Read(file!);
                test = CsvDataset.LoadForModel(table, schema, description.ClassNames ?? throw new DataFormatException($"{path}: the model has no class names"));
                CsvColumnsNote.WriteIfPositional(Console.Error, table, schema);
            }
            else
            {
                // A name given with --dataset is a usage error when wrong; one read from model.json is the file's fault.
                var name = result.GetValue(dataset) is { } given ? DatasetChoice.Validate(given)
                    : description.Dataset is { } saved ? ModelDataset(saved, path)
                    : throw new UsageException("--dataset is needed: the model does not record its dataset");
                (_, test) = DatasetChoice.Load(name, result.GetValue(data));
            }

            if (test.FeatureCount != description.InputFeatures)
                throw new DataFormatException($"{path}: the model takes {description.InputFeatures} inputs, {test.Name} has {test.FeatureCount} features");
            var evaluation = Evaluator.Evaluate(network, test, Losses.Loss.Parse(description.Loss));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{description.Architecture ?? network.Describe()} on {test.Name} ({test.Count} examples): accuracy {100 * evaluation.Accuracy:F2}%, loss {evaluation.Loss:F4}"));
            Console.Out.WriteLine(evaluation.FormatConfusionMatrix());
            return CommandRunner.Success;
        }));
        return command;
    }

    private static string ModelDataset(string saved, string modelPath)
    {
        try
        {
            return DatasetChoice.Validate(saved);
        }
        catch (UsageException)
        {
            string file = Directory.Exists(modelPath) ? Path.Combine(modelPath, ModelStore.DescriptionFile) : modelPath;
            throw new DataFormatException($"{file}: \"dataset\" is '{SafeText.Quote(saved)}', not a dataset eval can load (digits or fashion-mnist; a CSV model records its columns in \"features\")");
        }
    }
}
