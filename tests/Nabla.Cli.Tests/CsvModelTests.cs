using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Nabla.Serialization;

namespace Nabla.Cli.Tests;

/// <summary>Models trained on CSV files, as a new user meets them: the exported graph takes the raw rows, columns are
/// matched by name, scikit-learn's files and label columns that are really measurements are read for what they are,
/// and every refusal is one line that names the file.</summary>
public sealed class CsvModelTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-csv-" + Guid.NewGuid().ToString("N"));

    public CsvModelTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three overlapping classes on four features of very different scales (a model that skipped the
    /// standardisation would see the third feature's hundreds and nothing else).</summary>
    private string WriteMeasurements(string name = "measurements.csv", int rows = 300)
    {
        var random = new Random(11);
        double[][] centres = [[1.0, 0.20, 500, -3], [1.6, 0.35, 540, -2], [2.2, 0.50, 580, -1]];
        var lines = new List<string> { "f0,f1,f2,f3,label" };
        for (int i = 0; i < rows; i++)
        {
            int c = i % 3;
            double Noise(double scale) => scale * (random.NextDouble() - 0.5);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{centres[c][0] + Noise(0.9):F3},{centres[c][1] + Noise(0.2):F3},{centres[c][2] + Noise(60):F1},{centres[c][3] + Noise(1.5):F3},{"abc"[c]}"));
        }

        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private void Train(params string[] args)
    {
        var r = NablaProcess.Run(_dir, ["train", .. args, "--quiet"]);
        Assert.True(r.ExitCode == 0, $"train {string.Join(' ', args)}: {r.Error}");
    }

    private static void AssertOneErrorLine(NablaProcess.Result r, int exitCode, string expected)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}: {r.Output}{r.Error}");
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exported_csv_model_takes_raw_rows_and_gives_predicts_class_for_every_row_and_names_its_columns()
    {
        var data = WriteMeasurements();
        Train("--data", data, "--epochs", "15", "--out", "model");
        var export = NablaProcess.Run(_dir, "export", "--model", "model", "--onnx", "model.onnx");
        Assert.True(export.ExitCode == 0, export.Error);

        var predict = NablaProcess.Run(_dir, "predict", "--model", "model", data, "--json", "--top-k", "1");
        Assert.True(predict.ExitCode == 0, predict.Error);
        using var json = JsonDocument.Parse(predict.Output);
        int[] predicted = [.. json.RootElement.EnumerateArray().Select(p => p.GetProperty("index").GetInt32())];

        // The raw feature cells of every row, exactly as the file holds them: what an ONNX user feeds the graph.
        var rows = File.ReadAllLines(data).Skip(1).Select(l => l.Split(',')[..4].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        using var session = new InferenceSession(Path.Combine(_dir, "model.onnx"));
        using var input = OrtValue.CreateTensorValueFromMemory(rows.SelectMany(r => r).ToArray(), [rows.Length, 4]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [input], ["logits"]);
        var logits = results[0].GetTensorDataAsSpan<float>().ToArray();
        int[] onnx = [.. Enumerable.Range(0, rows.Length).Select(i => Enumerable.Range(0, 3).MaxBy(c => logits[(i * 3) + c]))];
        Assert.Equal(predicted, onnx);
        Assert.True(predicted.Distinct().Count() == 3, "the check needs rows of every class");

        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(["f0", "f1", "f2", "f3"], JsonSerializer.Deserialize<string[]>(metadata["feature_names"])!);
        Assert.Equal(["a", "b", "c"], JsonSerializer.Deserialize<string[]>(metadata["class_names"])!);
        Assert.Equal("label", metadata["label_column"]);
        Assert.Contains("Mlp(4 → 64 → 3", metadata["architecture"], StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_and_predict_match_a_header_by_name_and_never_read_a_column_under_another_name()
    {
        var data = WriteMeasurements();
        Train("--data", data, "--epochs", "2", "--out", "model");
        var lines = File.ReadAllLines(data);

        // The features in reverse order under a header that spells one of them differently.
        File.WriteAllLines(Path.Combine(_dir, "renamed.csv"), ["f3,f2,f1,F0,label", .. lines.Skip(1).Select(Reverse)]);
        // One feature short: the label must not be read as f3.
        File.WriteAllLines(Path.Combine(_dir, "short.csv"), ["f0,f1,f2,label", .. lines.Skip(1).Select(l => string.Join(',', l.Split(',') is var c ? [c[0], c[1], c[2], c[4]] : []))]);
        foreach (var file in new[] { "renamed.csv", "short.csv" })
        {
            string missing = file == "renamed.csv" ? "'f0' is missing ('F0' differs from 'f0' in case)" : "'f3' is missing";
            AssertOneErrorLine(NablaProcess.Run(_dir, "eval", "--model", "model", "--data", file), 1, $"{file}: the model's feature column {missing}");
            AssertOneErrorLine(NablaProcess.Run(_dir, "predict", "--model", "model", file), 1, $"{file}: the model's feature column {missing}");
        }

        // Columns in another order under their own names are read by name.
        File.WriteAllLines(Path.Combine(_dir, "reordered.csv"), ["label,f3,f2,f1,f0", .. lines.Skip(1).Select(l => l.Split(',') is var c ? $"{c[4]},{c[3]},{c[2]},{c[1]},{c[0]}" : "")]);
        var byName = NablaProcess.Run(_dir, "eval", "--model", "model", "--data", "reordered.csv");
        var original = NablaProcess.Run(_dir, "eval", "--model", "model", "--data", data);
        Assert.True(byName.ExitCode == 0, byName.Error);
        Assert.Equal(Accuracy(original.Output), Accuracy(byName.Output));

        // Without a header, columns are read by position only at exactly the right width, and that is said.
        File.WriteAllLines(Path.Combine(_dir, "plain.csv"), lines.Skip(1));
        var plain = NablaProcess.Run(_dir, "eval", "--model", "model", "--data", "plain.csv");
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.Equal(Accuracy(original.Output), Accuracy(plain.Output));
        Assert.Contains("plain.csv has no header row: its columns are read by position as the model's features (f0, f1, f2, f3), and column 5 of 5 as its label", plain.Error, StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(_dir, "narrow.csv"), lines.Skip(1).Select(l => l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..]));
        AssertOneErrorLine(NablaProcess.Run(_dir, "eval", "--model", "model", "--data", "narrow.csv"), 1, "narrow.csv: the model's label column 'label' is missing (the file has no header and 4 columns, not the model's 4 features and a label)");
        File.WriteAllLines(Path.Combine(_dir, "narrower.csv"), lines.Skip(1).Select(l => string.Join(',', l.Split(',')[1..4])));
        AssertOneErrorLine(NablaProcess.Run(_dir, "predict", "--model", "model", "narrower.csv"), 1, "narrower.csv: the file has no header and 3 columns, but the model takes 4 features");

        // A model trained with its label first records where the label was, and reads a file without a header in that
        // layout by it; one whose model.json does not say (saved before it was recorded) never guesses.
        File.WriteAllLines(Path.Combine(_dir, "label-first.csv"), ["label,f0,f1,f2,f3", .. lines.Skip(1).Select(LabelFirst)]);
        Train("--data", "label-first.csv", "--label-column", "label", "--epochs", "2", "--out", "first");
        var firstByName = NablaProcess.Run(_dir, "eval", "--model", "first", "--data", "label-first.csv");
        File.WriteAllLines(Path.Combine(_dir, "label-first-plain.csv"), lines.Skip(1).Select(LabelFirst));
        var firstPlain = NablaProcess.Run(_dir, "eval", "--model", "first", "--data", "label-first-plain.csv");
        Assert.True(firstPlain.ExitCode == 0, firstPlain.Error);
        Assert.Equal(Accuracy(firstByName.Output), Accuracy(firstPlain.Output));
        Assert.Contains("and column 1 of 5 as its label", firstPlain.Error, StringComparison.Ordinal);
        var json = Path.Combine(_dir, "first", "model.json");
        File.WriteAllText(json, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(json), @",\s*""labelIndex"":\s*0", ""));
        AssertOneErrorLine(NablaProcess.Run(_dir, "eval", "--model", "first", "--data", "label-first-plain.csv"), 1, "label-first-plain.csv: the model's label column 'label' is missing (the file has no header and 5 columns");

        static string Reverse(string line) => line.Split(',') is var c ? $"{c[3]},{c[2]},{c[1]},{c[0]},{c[4]}" : "";
        static string LabelFirst(string line) => line.Split(',') is var c ? $"{c[4]},{c[0]},{c[1]},{c[2]},{c[3]}" : "";
        static string Accuracy(string output) => output[output.IndexOf("accuracy", StringComparison.Ordinal)..].Split(',')[0];
    }

    [Fact]
    public void A_scikit_learn_file_is_read_with_its_class_names_and_a_wrong_count_is_named()
    {
        // scikit-learn's layout: "rows, features, class names", then features and the class index (wine: 13 features
        // under a first line of 5 cells).
        var random = new Random(3);
        var rows = Enumerable.Range(0, 90).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{string.Join(',', Enumerable.Range(0, 6).Select(f => ((i % 3 * (f + 1)) + random.NextDouble()).ToString("F3", CultureInfo.InvariantCulture)))},{i % 3}")).ToList();
        File.WriteAllLines(Path.Combine(_dir, "wine_like.csv"), ["90,6,class_0,class_1,class_2", .. rows]);
        Train("--data", "wine_like.csv", "--epochs", "5", "--out", "wine");
        var (_, description) = ModelStore.Load(Path.Combine(_dir, "wine"));
        Assert.Equal(["class_0", "class_1", "class_2"], description.ClassNames!);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], description.Features!.FeatureNames);

        File.WriteAllLines(Path.Combine(_dir, "short_sklearn.csv"), ["91,6,class_0,class_1,class_2", .. rows]);
        AssertOneErrorLine(NablaProcess.Run(_dir, "train", "--data", "short_sklearn.csv", "--epochs", "1"), 1,
            "short_sklearn.csv: the first line, in scikit-learn's layout (91 rows, 6 features, classes class_0, class_1, class_2), announces 91 rows, but the file holds 90");
    }

    [Fact]
    public void A_measurement_used_as_the_label_is_refused_unless_the_classes_are_given()
    {
        var lines = new List<string> { "x,y,length" };
        for (int i = 0; i < 150; i++) lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{4 + (i % 35) / 10.0:F1}"));
        File.WriteAllLines(Path.Combine(_dir, "lengths.csv"), lines);
        AssertOneErrorLine(NablaProcess.Run(_dir, "train", "--data", "lengths.csv", "--epochs", "1"), 1,
            "lengths.csv: column 'length' holds 35 distinct labels in 150 rows, more than the 30 classes allowed (min(50, rows/5)): it looks like a measurement, not a class; choose the class column with --label-column, or give --classes 35");

        File.WriteAllLines(Path.Combine(_dir, "halves.csv"), ["x,y,score", .. Enumerable.Range(0, 40).Select(i => $"{i % 7},{i % 5},{(i % 2 == 0 ? "0.5" : "1")}")]);
        AssertOneErrorLine(NablaProcess.Run(_dir, "train", "--data", "halves.csv", "--epochs", "1"), 1,
            "halves.csv: column 'score' holds numbers that are not whole (such as '0.5'): a measurement, not a class label");
        Train("--data", "halves.csv", "--classes", "2", "--epochs", "1", "--out", "halves");
        AssertOneErrorLine(NablaProcess.Run(_dir, "train", "--data", "halves.csv", "--classes", "3", "--epochs", "1"), 1,
            "halves.csv: 3 classes were asked for, but column 'score' holds 2 distinct labels");
    }

    [Fact]
    public void Too_few_rows_are_refused_before_the_banner_naming_the_file()
    {
        File.WriteAllLines(Path.Combine(_dir, "tworows.csv"), ["a,b,label", "1,2,x", "3,4,y"]);
        var r = NablaProcess.Run(_dir, "train", "--data", "tworows.csv");
        AssertOneErrorLine(r, 1, "tworows.csv: 2 rows are too few to hold out a 20% test split");
        Assert.DoesNotContain("tworows-test", r.Error, StringComparison.Ordinal);
        Assert.Equal("", r.Output);

        // Ten rows train, but leave no row of a class for the validation split early stopping watches.
        File.WriteAllLines(Path.Combine(_dir, "ten.csv"), ["a,b,label", .. Enumerable.Range(0, 10).Select(i => $"{i},{i % 3},{(i % 2 == 0 ? "x" : "y")}")]);
        var early = NablaProcess.Run(_dir, "train", "--data", "ten.csv", "--early-stopping", "2");
        AssertOneErrorLine(early, 1, "ten.csv: 8 training rows are too few to hold out a 10% validation split for --early-stopping");
        Assert.Equal("", early.Output);
    }

    [Fact]
    public void Ten_thousand_distinct_labels_are_refused_by_the_class_rule_naming_the_file()
    {
        File.WriteAllLines(Path.Combine(_dir, "ids.csv"), ["a,id", .. Enumerable.Range(0, 10_000).Select(i => $"{i % 10},id{i}")]);
        var r = NablaProcess.Run(_dir, "train", "--data", "ids.csv");
        AssertOneErrorLine(r, 1, "ids.csv: column 'id' holds 10000 distinct labels in 10000 rows, more than the 50 classes allowed");
        Assert.Equal("", r.Output);
    }

    [Fact]
    public void Control_characters_from_a_file_reach_the_terminal_escaped_and_quotes_are_short()
    {
        File.WriteAllText(Path.Combine(_dir, "escape.csv"), "a,b,label\n1,2,x\n3,\u001b]0;owned\u0007,y\n");
        var r = NablaProcess.Run(_dir, "train", "--data", "escape.csv");
        AssertOneErrorLine(r, 1, "escape.csv:3: column 'b' holds '\\u001B]0;owned\\u0007', not a finite number");
        Assert.DoesNotContain('\u001b', r.Error);
        Assert.DoesNotContain('\u0007', r.Error);

        File.WriteAllText(Path.Combine(_dir, "long.csv"), $"a,b,label\n1,2,x\n3,{new string('9', 5000)}x,y\n");
        var longCell = NablaProcess.Run(_dir, "train", "--data", "long.csv");
        Assert.Equal(1, longCell.ExitCode);
        Assert.True(longCell.Error.Length < 300, longCell.Error);
        Assert.Contains("… (5001 characters)", longCell.Error, StringComparison.Ordinal);

        // A field of model.json and a JSON parser's excerpt: escaped, one line, the field quoted short.
        Train("--epochs", "1", "--out", "model");
        var json = File.ReadAllText(Path.Combine(_dir, "model", "model.json"));
        File.WriteAllText(Path.Combine(_dir, "model", "model.json"), json.Replace("\"relu\"", $"\"relu\\u001b]0;owned\\u0007{new string('x', 300)}\"", StringComparison.Ordinal));
        var field = NablaProcess.Run(_dir, "eval", "--model", "model");
        AssertOneErrorLine(field, 1, "model.json: invalid architecture (unknown activation 'relu\\u001B]0;owned\\u0007xxx");
        Assert.DoesNotContain('\u001b', field.Error);
        Assert.Contains("… (314 characters)'", field.Error, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "model", "model.json"), "{\n \"kind\": \"mlp\u001b]0;owned\u0007\n ,,,\n}");
        var parser = NablaProcess.Run(_dir, "eval", "--model", "model");
        AssertOneErrorLine(parser, 1, "model.json: not a Nabla model (invalid JSON");
        Assert.DoesNotContain('\u001b', parser.Error);
    }

    [Fact]
    public void Non_finite_numbers_are_refused_alike_whatever_their_spelling()
    {
        foreach (var value in new[] { "inf", "nan", "Infinity", "-inf" })
            AssertOneErrorLine(NablaProcess.Run(_dir, "train", "--lr", value), 2, $"--lr: '{value}' is not a finite number");
    }

    [Fact]
    public void More_threads_than_cores_are_capped_with_a_note()
    {
        var r = NablaProcess.Run(_dir, "train", "--threads", "1000", "--epochs", "1", "--quiet", "--out", "threads");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains($"nabla: note: --threads 1000 is more than this machine's {Environment.ProcessorCount} logical cores; using {Environment.ProcessorCount}", r.Error, StringComparison.Ordinal);
        Assert.Contains($", {Environment.ProcessorCount} thread(s)", r.Output, StringComparison.Ordinal);
    }
}
