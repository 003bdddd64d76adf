using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Serialization;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Tests;

/// <summary>Training on CSV files, and <c>nabla predict</c> on CSV rows and image files, end to end.</summary>
public sealed class PredictTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-predict-" + Guid.NewGuid().ToString("N"));

    public PredictTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three well-separated species on three features of very different scales, label in the middle.</summary>
    private string WriteFlowers(string name = "flowers.csv")
    {
        var random = new Random(5);
        var centres = new Dictionary<string, double[]> { ["setosa"] = [1.5, 0.2, 500], ["versicolor"] = [4.3, 1.3, 590], ["virginica"] = [6.5, 2.4, 680] };
        var lines = new List<string> { "petal_length,petal_width,species,sepal_mm" };
        for (int i = 0; i < 240; i++)
        {
            var (species, c) = centres.ElementAt(i % 3);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{c[0] + 0.3 * (random.NextDouble() - 0.5):F2},{c[1] + 0.2 * (random.NextDouble() - 0.5):F2},{species},{c[2] + 30 * (random.NextDouble() - 0.5):F0}"));
        }

        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void A_csv_model_trains_evaluates_and_predicts_rows_by_column_name_with_its_saved_standardisation()
    {
        var flowers = WriteFlowers();
        var train = NablaProcess.Run(_dir, "train", "--data", flowers, "--label-column", "species", "--epochs", "20", "--out", "flowers-model");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("test accuracy 100.00%", train.Output, StringComparison.Ordinal);
        var (_, description) = ModelStore.Load(Path.Combine(_dir, "flowers-model"));
        Assert.Equal(["petal_length", "petal_width", "sepal_mm"], description.Features!.FeatureNames);
        Assert.InRange(description.Features.Standardization!.Mean[2], 550, 630);

        var eval = NablaProcess.Run(_dir, "eval", "--model", "flowers-model", "--data", flowers);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("on flowers (240 examples): accuracy 100.00%", eval.Output, StringComparison.Ordinal);

        // New rows: other column order, no label column.
        File.WriteAllLines(Path.Combine(_dir, "new.csv"), ["sepal_mm,petal_width,petal_length", "505,0.25,1.4", "675,2.3,6.6"]);
        var predict = NablaProcess.Run(_dir, "predict", "--model", "flowers-model", "new.csv", "--json", "--top-k", "2");
        Assert.True(predict.ExitCode == 0, predict.Error);
        using var json = JsonDocument.Parse(predict.Output);
        var rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["setosa", "virginica"], rows.Select(r => r.GetProperty("class").GetString()));
        Assert.Equal([2, 3], rows.Select(r => r.GetProperty("line").GetInt32()));
        Assert.All(rows, r => Assert.Equal(2, r.GetProperty("top").GetArrayLength()));
        Assert.All(rows, r => Assert.True(r.GetProperty("top")[0].GetProperty("probability").GetDouble() > 0.9));

        var text = NablaProcess.Run(_dir, "predict", "--model", "flowers-model", "new.csv");
        Assert.StartsWith("new.csv:2: setosa ", text.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--data {flowers} --label-column kind", 1, "no column 'kind' (columns: petal_length, petal_width, species, sepal_mm)")]
    [InlineData("--data {nan}", 1, "nan.csv:3: column 'b' holds 'NaN', not a finite number")]
    [InlineData("--label-column species", 2, "--label-column goes with --data FILE.csv")]
    [InlineData("--data {flowers} --dataset fashion-mnist", 2, "leave it out when --data is a CSV file")]
    [InlineData("--data missing.csv", 2, "--data: file 'missing.csv' does not exist")]
    public void Bad_csv_training_input_gives_one_error_line(string arguments, int exitCode, string message)
    {
        var flowers = WriteFlowers();
        File.WriteAllLines(Path.Combine(_dir, "nan.csv"), ["a,b,label", "1,2,x", "3,NaN,y"]);
        var args = arguments.Replace("{flowers}", flowers, StringComparison.Ordinal).Replace("{nan}", "nan.csv", StringComparison.Ordinal).Split(' ');
        var r = NablaProcess.Run(_dir, ["train", .. args, "--epochs", "1"]);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Contains(message, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_that_standardises_beyond_the_float_range_is_refused_by_predict_as_by_eval()
    {
        // Column b barely varies in training (σ ≈ 5·10⁻³⁹), so 10³⁰ standardises far beyond float's 3.4·10³⁸.
        var lines = new List<string> { "a,b,label" };
        for (int i = 0; i < 40; i++) lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i % 2 + 0.01 * i},{(i % 3 == 0 ? "2e-38" : "1e-38")},{(i % 2 == 0 ? "x" : "y")}"));
        File.WriteAllLines(Path.Combine(_dir, "tiny.csv"), lines);
        var train = NablaProcess.Run(_dir, "train", "--data", "tiny.csv", "--epochs", "1", "--out", "tiny-model");
        Assert.True(train.ExitCode == 0, train.Error);
        File.WriteAllLines(Path.Combine(_dir, "far.csv"), ["a,b,label", "0.5,1e30,x"]);

        foreach (var command in new[] { new[] { "predict", "--model", "tiny-model", "far.csv" }, ["predict", "--model", "tiny-model", "far.csv", "--json"], ["eval", "--model", "tiny-model", "--data", "far.csv"] })
        {
            var r = NablaProcess.Run(_dir, command);
            Assert.True(r.ExitCode == 1, $"{string.Join(' ', command)}: exit {r.ExitCode}, {r.Output}{r.Error}");
            Assert.Single(r.Error.Trim().Split('\n'));
            Assert.Contains("far.csv:2: feature 'b' is Infinity once standardised", r.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Digit_images_predict_the_same_classes_as_the_same_pixels_given_to_the_model_directly()
    {
        var train = NablaProcess.Run(_dir, "train", "--epochs", "3", "--out", "digits-model");
        Assert.True(train.ExitCode == 0, train.Error);
        var (model, _) = ModelStore.Load(Path.Combine(_dir, "digits-model"));

        // Ten test digits written as 8×8 PNG and JPEG files, light on dark as in the dataset.
        var (_, test) = Nabla.Data.Datasets.Digits.LoadSplit();
        var pixels = test.Features.ToFloatArray();
        var quantised = new float[10 * 64];
        var files = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            var gray = new byte[8, 8];
            for (int p = 0; p < 64; p++)
            {
                gray[p / 8, p % 8] = (byte)Math.Round(255 * pixels[i * 64 + p]);
                quantised[i * 64 + p] = gray[p / 8, p % 8] / 255f;
            }

            using var image = new ScottPlot.Image(gray);
            var name = $"digit{i}.png";
            File.WriteAllBytes(Path.Combine(_dir, name), image.GetImageBytes(ScottPlot.ImageFormat.Png, 100));
            files.Add(name);
        }

        var expected = Evaluator.Probabilities(model, Tensor.FromArray(quantised, new Shape(10, 64)));
        var predict = NablaProcess.Run(_dir, ["predict", "--model", "digits-model", "--json", "--background", "dark", .. files]);
        Assert.True(predict.ExitCode == 0, predict.Error);
        using var json = JsonDocument.Parse(predict.Output);
        var rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(10, rows.Length);
        for (int i = 0; i < 10; i++)
        {
            int best = Enumerable.Range(0, 10).MaxBy(c => expected[i, c]);
            Assert.Equal(best, rows[i].GetProperty("index").GetInt32());
            Assert.Equal(expected[i, best], rows[i].GetProperty("top")[0].GetProperty("probability").GetDouble(), 3);
        }
    }

    [Fact]
    public void Predict_refuses_inputs_it_cannot_read_with_one_line()
    {
        var train = NablaProcess.Run(_dir, "train", "--epochs", "1", "--out", "m");
        Assert.True(train.ExitCode == 0, train.Error);
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "hello");
        File.WriteAllText(Path.Combine(_dir, "fake.png"), "hello");
        File.WriteAllLines(Path.Combine(_dir, "short.csv"), ["1,2,3"]);

        var cases = new (string[] Args, int Code, string Message)[]
        {
            (["notes.txt"], 2, "input 'notes.txt': not a CSV or image file"),
            (["absent.png"], 2, "input 'absent.png' does not exist"),
            (["fake.png"], 1, "fake.png: not an image"),
            (["short.csv"], 1, "short.csv: the file has no header and 3 columns, but the model takes 64 features"),
            (["short.csv", "--top-k", "0"], 2, "--top-k"),
            (["fake.png", "--background", "grey"], 2, "--background: 'grey' is not auto, dark or light"),
        };
        foreach (var (args, code, message) in cases)
        {
            var r = NablaProcess.Run(_dir, ["predict", "--model", "m", .. args]);
            Assert.True(code == r.ExitCode, $"{string.Join(' ', args)}: exit {r.ExitCode}, {r.Error}");
            Assert.Contains(message, r.Error, StringComparison.Ordinal);
            Assert.Equal(string.Empty, r.Output);
        }
    }

    [Fact]
    public void Predict_reports_each_unreadable_image_in_one_line_and_still_predicts_the_good_ones()
    {
        var train = NablaProcess.Run(_dir, "train", "--epochs", "1", "--out", "m");
        Assert.True(train.ExitCode == 0, train.Error);
        var gray = new byte[8, 8];
        for (int p = 0; p < 64; p++) gray[p / 8, p % 8] = (byte)(p % 8 is 2 or 5 ? 220 : 0);
        using var image = new ScottPlot.Image(gray);
        var png = image.GetImageBytes(ScottPlot.ImageFormat.Png, 100);
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);
        File.WriteAllBytes(Path.Combine(_dir, "good.png"), png);
        File.WriteAllBytes(Path.Combine(_dir, "garbage.png"), PngBytes.ReplaceImageData(png, data => noise[..data.Length]));
        File.WriteAllBytes(Path.Combine(_dir, "cut.png"), png[..^20]);
        // 40 MB of metadata, read from a file as predict reads it: skipped, so the pixels predict as without it.
        var padded = PngBytes.InsertAfterHeader(PngBytes.InsertAfterHeader(png, PngBytes.Chunk("tEXt", new byte[20 << 20])), PngBytes.Chunk("nbLa", new byte[20 << 20]));
        File.WriteAllBytes(Path.Combine(_dir, "padded.png"), padded);
        using (var file = File.Create(Path.Combine(_dir, "long.png")))
        {
            file.Write(png);
            file.SetLength((64 << 20) + 1);   // one byte past the limit on an image file
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = NablaProcess.Run(_dir, "predict", "--model", "m", "--json", "--background", "dark", "good.png", "garbage.png", "padded.png", "cut.png", "long.png");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"predict took {clock.Elapsed}");   // a sanity bound: it took minutes
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Error}");
        var errors = r.Error.Trim().Split('\n');
        Assert.Equal(3, errors.Length);
        Assert.StartsWith("nabla: error: garbage.png: the image is damaged or cut short", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("nabla: error: cut.png: the PNG file is cut short", errors[1], StringComparison.Ordinal);
        Assert.Equal("nabla: error: long.png: the image file is 67108865 bytes, more than the 67108864 bytes (64 MiB) an image may have", errors[2]);

        using var json = JsonDocument.Parse(r.Output);
        var rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["good.png", "padded.png"], rows.Select(row => row.GetProperty("input").GetString()));
        Assert.Equal(rows[0].GetProperty("top").GetRawText(), rows[1].GetProperty("top").GetRawText());
    }

    [Fact]
    public void Predict_escapes_control_characters_in_the_class_names_it_prints()
    {
        var flowers = WriteFlowers();
        var train = NablaProcess.Run(_dir, "train", "--data", flowers, "--label-column", "species", "--epochs", "20", "--out", "flowers-model");
        Assert.True(train.ExitCode == 0, train.Error);
        // A model.json from elsewhere whose class name would set the terminal's title and ring its bell.
        var modelJson = Path.Combine(_dir, "flowers-model", "model.json");
        File.WriteAllText(modelJson, File.ReadAllText(modelJson).Replace("\"setosa\"", "\"set\\u001B]0;owned\\u0007osa\"", StringComparison.Ordinal));
        File.WriteAllLines(Path.Combine(_dir, "new.csv"), ["sepal_mm,petal_width,petal_length", "505,0.25,1.4"]);

        var r = NablaProcess.Run(_dir, "predict", "--model", "flowers-model", "new.csv");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.StartsWith("new.csv:2: set\\u001B]0;owned\\u0007osa ", r.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001B', r.Output);
        Assert.DoesNotContain('\u0007', r.Output);
    }
}
