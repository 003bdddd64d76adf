using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Pictures;
using Nabla.Serialization;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla predict</c>: a saved model's class and top-k probabilities for each row of CSV files and for
/// image files (resized and converted to the model's input), as text or JSON. An input that cannot be read (a damaged
/// image, a malformed CSV) is one error line; the other inputs are still predicted, and the exit code is non-zero.</summary>
internal static class PredictCommand
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];

    /// <summary>One input's prediction: where it came from, and the classes ranked by probability.</summary>
    private sealed record Prediction(string Input, int? Line, (int Class, double Probability)[] Top);

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "folder of a model saved by 'nabla train'", Required = true };
        var inputs = new Argument<string[]>("inputs") { Description = "CSV files (one prediction per row) and image files (PNG, JPEG, GIF, BMP, WebP)", Arity = ArgumentArity.OneOrMore };
        var topK = NumericOptions.Int("--top-k", "how many classes to show, most probable first [default: 3]");
        var json = new Option<bool>("--json") { Description = "print a JSON array, one object per prediction" };
        var background = new Option<string>("--background") { Description = "images: auto, dark or light (light backgrounds are inverted to match the datasets' light-on-dark)", DefaultValueFactory = _ => "auto" };
        var command = new Command("predict", "Predict classes with a saved model for CSV rows and image files") { model, inputs, topK, json, background };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            var path = result.GetValue(model)!;
            if (!Directory.Exists(path) && !File.Exists(path)) throw new UsageException($"--model: '{path}' does not exist");
            var imageBackground = result.GetValue(background)!.ToLowerInvariant() switch
            {
                "auto" => ImageBackground.Auto,
                "dark" => ImageBackground.Dark,
                "light" => ImageBackground.Light,
                var other => throw new UsageException($"--background: '{other}' is not auto, dark or light"),
            };
            var files = result.GetValue(inputs)!;
            foreach (var file in files)
            {
                if (!File.Exists(file)) throw new UsageException($"input '{file}' does not exist");
                if (!IsCsv(file) && !IsImage(file)) throw new UsageException($"input '{file}': not a CSV or image file (.csv, {string.Join(", ", ImageExtensions)})");
            }

            var (network, description) = ModelStore.Load(path);
            int k = OptionParsing.AtLeast(result.GetValue(topK) ?? 3, 1, "--top-k");
            // Without saved names, classes are numbered; how many there are is read from the network's output.
            IReadOnlyList<string>? classNames = description.ClassNames;
            var dtype = network.Parameters().First().DType;
            var predictions = new List<Prediction>();
            int unreadable = 0;
            foreach (var file in files)
            {
                Tensor features;
                int?[] lines;
                try
                {
                    (features, lines) = IsCsv(file) ? ReadCsv(file, description) : (ReadImage(file, description, imageBackground), [(int?)null]);
                }
                catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
                {
                    // One bad file among many is said, and the others are still predicted; the exit code tells at the end.
                    Console.Error.WriteLine($"nabla: error: {CommandRunner.OneLine(e.Message)}");
                    unreadable++;
                    continue;
                }

                var probabilities = Evaluator.Probabilities(network, features.To(dtype));
                classNames ??= [.. Enumerable.Range(0, probabilities.GetLength(1)).Select(c => c.ToString(CultureInfo.InvariantCulture))];
                for (int i = 0; i < lines.Length; i++) predictions.Add(new Prediction(file, lines[i], Top(probabilities, i, k)));
            }

            if (result.GetValue(json)) WriteJson(Console.Out, predictions, classNames!);
            else WriteText(Console.Out, predictions, classNames!);
            return unreadable == 0 ? CommandRunner.Success : CommandRunner.Failure;
        }));
        return command;
    }

    private static bool IsCsv(string file) => file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    private static bool IsImage(string file) => ImageExtensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>The rows of a CSV file as the model's inputs: its saved feature columns, standardised as in training,
    /// or (for a model trained on a built-in dataset) every column, or every column but the last when there is one
    /// more (the label).</summary>
    private static (Tensor Features, int?[] Lines) ReadCsv(string file, ModelDescription description)
    {
        var table = CsvTable.Read(file);
        var features = description.Features is { } schema
            ? CsvDataset.ReadFeatures(table, schema)
            : CsvDataset.ReadFeatures(table, [.. Enumerable.Range(0, description.InputFeatures).Select(i => i.ToString(CultureInfo.InvariantCulture))],
                description.InputFeatures.ToString(CultureInfo.InvariantCulture));
        // Said only once the columns were read: a file refused for its width gets its one error line alone.
        CsvColumnsNote.WriteIfPositional(Console.Error, table, description.Features);
        return (features, [.. Enumerable.Range(0, table.Rows.Count).Select(i => (int?)table.LineOf(i))]);
    }

    /// <summary>An image as one input row: resized to the model's (C, H, W) and scaled to [0, 1] like the datasets.</summary>
    private static Tensor ReadImage(string file, ModelDescription description, ImageBackground background)
    {
        int[] shape = description.ExampleShape is { Length: 3 } known ? known
            : description.Dataset is DatasetChoice.Digits or DatasetChoice.FashionMnist ? DatasetChoice.ExampleShape(description.Dataset)
            : throw new UsageException($"input '{file}': the model takes {description.InputFeatures} values per example, not an image");
        if (shape[0] is not (1 or 3)) throw new UsageException($"input '{file}': the model takes images of {shape[0]} channels; only 1 (grey) or 3 (RGB) are read");
        var values = ImageInput.Read(file, shape[0], shape[1], shape[2], background);
        return Tensor.FromArray(values, new Shape(1, values.Length));
    }

    private static (int Class, double Probability)[] Top(double[,] probabilities, int row, int k) =>
        [.. Enumerable.Range(0, probabilities.GetLength(1))
            .Select(c => (Class: c, Probability: probabilities[row, c]))
            .OrderByDescending(p => p.Probability)
            .ThenBy(p => p.Class)
            .Take(k)];

    private static void WriteText(TextWriter output, List<Prediction> predictions, IReadOnlyList<string> classNames)
    {
        foreach (var p in predictions)
        {
            string where = p.Line is { } line ? $"{p.Input}:{line}" : p.Input;
            // Class names come from model.json: a control character in one must not reach the terminal raw.
            string Show((int Class, double Probability) c) => string.Create(CultureInfo.InvariantCulture, $"{SafeText.Escape(classNames[c.Class])} {100 * c.Probability:F1}%");
            string rest = p.Top.Length > 1 ? $"  ({string.Join(", ", p.Top.Skip(1).Select(Show))})" : "";
            output.WriteLine($"{where}: {Show(p.Top[0])}{rest}");
        }
    }

    private static void WriteJson(TextWriter output, List<Prediction> predictions, IReadOnlyList<string> classNames)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var p in predictions)
            {
                json.WriteStartObject();
                json.WriteString("input", p.Input);
                if (p.Line is { } line) json.WriteNumber("line", line);
                else json.WriteNull("line");
                json.WriteString("class", classNames[p.Top[0].Class]);
                json.WriteNumber("index", p.Top[0].Class);
                json.WriteStartArray("top");
                foreach (var (c, probability) in p.Top)
                {
                    json.WriteStartObject();
                    json.WriteString("class", classNames[c]);
                    json.WriteNumber("index", c);
                    json.WriteNumber("probability", probability);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
