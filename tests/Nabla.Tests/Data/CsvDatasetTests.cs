using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public sealed class CsvDatasetTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Csv(string name, string text) => _files.Write(name, System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_header_is_detected_and_the_label_column_is_found_by_name_with_text_classes_in_order()
    {
        var path = Csv("flowers.csv", "length,species,width\n1.5,\"setosa\",0.2\n4.5,versicolor,1.5\n\n1.4,setosa,0.3\n");
        var csv = CsvDataset.Load(path, "species");
        Assert.Equal(["length", "width"], csv.FeatureNames);
        Assert.Equal("species", csv.LabelColumn);
        Assert.Equal(["setosa", "versicolor"], csv.Data.ClassNames);
        Assert.Equal([0, 1, 0], csv.Data.Labels);
        Assert.Equal([1.5f, 0.2f, 4.5f, 1.5f, 1.4f, 0.3f], csv.Data.Features.ToFloatArray());
    }

    [Fact]
    public void Without_a_header_the_last_column_is_the_label_and_numeric_classes_sort_as_numbers()
    {
        var path = Csv("plain.csv", "0.5,1,10\n0.25,2,2\n0.75,3,10\n1.0,4,9\n");
        // Three classes in four rows is more than the class rule allows unguided, so the count is given.
        var csv = CsvDataset.Load(path, expectedClasses: 3);
        Assert.Equal(["0", "1"], csv.FeatureNames);
        Assert.Equal("2", csv.LabelColumn);
        Assert.Equal(["2", "9", "10"], csv.Data.ClassNames);
        Assert.Equal([2, 0, 2, 1], csv.Data.Labels);
        Assert.Equal(new Shape(4, 2), csv.Data.Features.Shape);
        Assert.Equal("first", CsvDataset.Load(Csv("p2.csv", "first,0.5\nsecond,0.7\n"), "0").Data.ClassNames[0]);
    }

    [Theory]
    [InlineData("a,b,label\n1,NaN,x\n2,3,y\n", "flowers.csv:2: column 'b' holds 'NaN', not a finite number")]
    [InlineData("a,b,label\n1,2,x\n2,,y\n", "flowers.csv:3: column 'b' holds '', not a finite number")]
    [InlineData("a,b,label\n1,2,x\n2,3\n", "flowers.csv:3: 2 cells, but the first row has 3")]
    [InlineData("a,b,label\n1,2,x\n2,3,x\n", "holds a single class ('x')")]
    [InlineData("a,b,label\n", "holds a header but no data rows")]
    [InlineData("", "holds no rows")]
    [InlineData("a,b,label\n1,\"2,x\n", "a quoted field is never closed")]
    [InlineData("a,b,label\n1,1e999,x\n2,3,y\n", "holds '1e999', not a finite number")]
    public void Bad_tables_give_one_clear_error_naming_the_file_and_the_line(string text, string expected)
    {
        var path = Csv("flowers.csv", text);
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("flowers.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_label_column_lists_the_columns()
    {
        var path = Csv("t.csv", "a,b,label\n1,2,x\n2,3,y\n");
        var e = Assert.Throws<ArgumentException>(() => CsvDataset.Load(path, "kind"));
        Assert.Contains("no column 'kind' (columns: a, b, label)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_standardises_with_the_training_statistics_only_and_a_model_reads_rows_by_column_name()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 50).Select(i => $"{i},{100 + 2 * i},{(i % 2 == 0 ? "even" : "odd")}"));
        var path = Csv("t.csv", "x,y,parity\n" + rows + "\n");
        var (train, test, schema) = CsvDataset.LoadSplit(path, "parity", 0.2, seed: 3);
        Assert.Equal(40, train.Count);
        Assert.Equal(10, test.Count);

        // The training features are standardised exactly: mean 0 and standard deviation 1 per column.
        var x = train.Features.ToDoubleArray();
        for (int j = 0; j < 2; j++)
        {
            var column = Enumerable.Range(0, train.Count).Select(i => x[2 * i + j]).ToArray();
            Assert.Equal(0, column.Average(), 5);
            Assert.Equal(1, Math.Sqrt(column.Select(v => v * v).Average()), 5);
        }

        // The statistics are the training split's, so the test split is not exactly centred.
        var z = schema.Standardization!;
        Assert.Equal(z.Mean[1], 100 + 2 * z.Mean[0], 3);

        // Rows for prediction may order columns differently and omit the label: they are read by name.
        var table = CsvTable.Read(Csv("new.csv", "y,x\n110,5\n"));
        var features = z.Apply(CsvDataset.ReadFeatures(table, schema.FeatureNames, schema.LabelColumn));
        Assert.Equal((5 - z.Mean[0]) / z.Scale[0], features.ToDoubleArray()[0], 4);
        Assert.Equal((110 - z.Mean[1]) / z.Scale[1], features.ToDoubleArray()[1], 4);
    }

    [Fact]
    public void Standardisation_keeps_a_constant_feature_finite_and_refuses_the_wrong_width()
    {
        var features = Tensor.FromArray(new float[] { 1, 5, 2, 5, 3, 5 }, new Shape(3, 2));
        var z = Standardization.Fit(features);
        Assert.Equal([2.0, 5.0], z.Mean);
        Assert.Equal(1.0, z.Scale[1]);
        Assert.Equal([-1.2247, 0, 0, 0, 1.2247, 0], z.Apply(features).ToDoubleArray().Select(v => Math.Round(v, 4)));
        Assert.Throws<ArgumentException>(() => z.Apply(Tensor.Zeros(new Shape(2, 3))));
    }

    // Untrusted files (docs/fuzzing.md).

    private static MemoryStream Text(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_quote_left_open_over_many_lines_costs_linear_time()
    {
        // Each line used to be appended to the open record and every quote recounted: quadratic, minutes for this file.
        // Now the open cell grows until the cell-length limit stops it, in one pass.
        var text = "a,label\n\"" + string.Concat(Enumerable.Repeat("x,\n", 200_000));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Read(Text(text), "open.csv"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.Contains("open.csv:2: a cell is longer than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Streams_read_like_files_and_malformed_text_is_a_data_format_error_naming_the_source()
    {
        var csv = CsvDataset.Load(Text("a,b,label\n1,2,x\n3,4,y\n"), "mem.csv");
        Assert.Equal("mem", csv.Data.Name);
        Assert.Equal([1f, 2f, 3f, 4f], csv.Data.Features.ToFloatArray());
        foreach (var bad in new[] { "", "\n\n", "a,b\n", "a,b\n1,2,3\n", "a,b\nNaN,1\n2,2\n", "a,b\n1e39,1\n2,2\n", "a,b\n1,y\n", "\"a\n" })
        {
            var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text(bad), "bad.csv"));
            Assert.Contains("bad.csv", e.Message, StringComparison.Ordinal);
        }

        var schema = new FeatureSchema(["a", "b"], "label", null);
        var forModel = CsvDataset.LoadForModel(Text("b,label,a\n2,y,1\n"), "m.csv", schema, ["x", "y"]);
        Assert.Equal([1f, 2f], forModel.Features.ToFloatArray());
        Assert.Contains("m.csv", Assert.Throws<DataFormatException>(() => CsvDataset.LoadForModel(Text("q,r,s,t\n1,2,3,4\n"), "m.csv", schema, ["x", "y"])).Message, StringComparison.Ordinal);
        Assert.Contains("names the label column 'label' more than once", Assert.Throws<DataFormatException>(() => CsvDataset.LoadForModel(Text("label,a,b,label\n y,1,2,x\n"), "twice.csv", schema, ["x", "y"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finite_value_that_standardises_beyond_the_float_range_is_a_data_format_error()
    {
        // Found by the fuzzer (fuzz/crashes/csv/937205871e7dbd27.bin): 3.3e38 is a float, (3.3e38 − 2) / 0.5 is not,
        // and the dataset threw an ArgumentException.
        const string text = "\"a\",\"b, with a comma\",c,label\n\"1\",2,333333333333333333333333333333333333333,\"x\"\n\"4\",\"5\",6,\"y\"\n7,8,9,\"z\"\n";
        var schema = new FeatureSchema(["a", "b, with a comma", "c"], "label", new Standardization([0.5, -1, 2], [1, 2, 0.5]));
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.LoadForModel(Text(text), "big.csv", schema, ["x", "y", "z"]));
        Assert.Contains("big.csv:2: feature 'c' is Infinity once standardised", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_iris_layout_of_scikit_learn_is_read_as_counts_and_class_names_not_as_a_header()
    {
        // iris.csv's first line has as many cells as its rows: only its shape says it is not a header.
        var rows = string.Concat(Enumerable.Range(0, 12).Select(i => $"{5 + (i % 3)}.1,3.5,1.{i % 3},0.2,{i % 3}\n"));
        var csv = CsvDataset.Load(Csv("iris.csv", "12,4,setosa,versicolor,virginica\n" + rows));
        Assert.Equal(["setosa", "versicolor", "virginica"], csv.Data.ClassNames);
        Assert.Equal(["0", "1", "2", "3"], csv.FeatureNames);
        Assert.Equal(12, csv.Data.Count);
        Assert.Equal([0, 1, 2], csv.Data.Labels[..3]);

        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Csv("bad-index.csv", "2,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n5.1,3.5,1.4,0.2,3\n")));
        Assert.Contains("bad-index.csv:3: the label '3' is not a class index below 3", e.Message, StringComparison.Ordinal);
        var wide = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Csv("wide.csv", "2,4,a,b\n1,2,3,4,5,6\n")));
        Assert.Contains("wide.csv:2: 6 cells, but the first line, in scikit-learn's layout (2 rows, 4 features, classes a, b), announces 5", wide.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_is_text_where_the_data_holds_numbers()
    {
        // A text label column under a text header, and numeric feature names: the header shows in the feature positions.
        var csv = CsvDataset.Load(Csv("named.csv", "width,height,kind\n1,2,x\n3,4,y\n"));
        Assert.Equal(["width", "height"], csv.FeatureNames);
        var plain = CsvDataset.Load(Csv("plain-text.csv", "1,2,x\n3,4,y\n"));
        Assert.Equal(2, plain.Data.Count);
    }

    [Fact]
    public void A_cell_or_a_row_beyond_the_limits_is_refused_before_it_is_held_whole()
    {
        var longCell = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("a,label\n" + new string('7', CsvTable.MaxCellLength + 1) + ",x\n"), "long.csv"));
        Assert.Equal($"long.csv:2: a cell is longer than {CsvTable.MaxCellLength} characters", longCell.Message);
        var quoted = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("a,label\n\"" + new string('\n', CsvTable.MaxCellLength + 1) + "\",x\n"), "quoted.csv"));
        Assert.Contains("quoted.csv:2: a cell is longer than", quoted.Message, StringComparison.Ordinal);
        var wide = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text(string.Join(',', Enumerable.Repeat("1", CsvTable.MaxColumns + 1)) + "\n"), "wide.csv"));
        Assert.Equal($"wide.csv:1: more than {CsvTable.MaxColumns} cells in one row", wide.Message);
    }

    [Fact]
    public void Class_names_a_scikit_learn_first_line_declares_must_be_distinct_and_agree_with_the_given_count()
    {
        const string rows = "1,0\n2,1\n3,2\n4,0\n5,1\n6,2\n";
        var twice = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("6,1,a,a,b\n" + rows), "twice.csv"));
        Assert.Equal("twice.csv:1: the first line (scikit-learn's layout) declares class 'a' twice", twice.Message);
        var count = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("6,1,a,b,c\n" + rows), "count.csv", expectedClasses: 2));
        Assert.Equal("count.csv:1: the first line (scikit-learn's layout) declares 3 classes, not the 2 of --classes", count.Message);
        var wide = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("6,1,a,b,c\n1,2,0\n"), "wide.csv"));
        Assert.Equal("wide.csv:2: 3 cells, but the first line, in scikit-learn's layout (6 rows, 1 features, classes a, b, c), announces 2", wide.Message);
        Assert.Equal(["a", "b", "c"], CsvDataset.Load(Text("6,1,a,b,c\n" + rows), "fine.csv", expectedClasses: 3).Data.ClassNames);
    }

    [Fact]
    public void A_label_longer_than_a_class_name_may_be_is_refused()
    {
        string label = new('q', Dataset.MaxClassNameLength + 1);
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text($"a,label\n1,x\n2,{label}\n3,x\n"), "names.csv"));
        Assert.Contains("names.csv:3: label 'qqq", e.Message, StringComparison.Ordinal);
        Assert.Contains("is longer than the 256 characters a class name may have", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_control_character_in_a_label_is_refused_not_made_a_class()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(Text("a,label\n1,x\n2,x\u0000\n3,y\n"), "nul.csv"));
        Assert.Equal("nul.csv:3: label 'x\\0' holds a control character", e.Message);
    }

    [Fact]
    public void Line_endings_of_every_kind_and_quoted_line_breaks_are_read_as_before()
    {
        var table = CsvTable.Read(Text("a,b,label\r\n1,2,\"x\r\ny\"\r\r3 , 4 ,\"z\"\"\"\n\n  \n5,6,w"), "endings.csv");
        Assert.Equal(["a", "b", "label"], table.Header);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["1", "2", "x\ny"], table.Rows[0]);
        Assert.Equal(["3", "4", "z\""], table.Rows[1]);
        Assert.Equal([2, 5, 8], Enumerable.Range(0, 3).Select(table.LineOf));
    }
}
