using Nabla.Data;
using Nabla.Fuzz.Engine;

namespace Nabla.Fuzz.Targets;

/// <summary>CSV datasets: <see cref="CsvDataset.Load(Stream, string, string?, IReadOnlyList{string}?)"/> (label in the
/// last column) and <see cref="CsvDataset.LoadForModel(Stream, string, FeatureSchema, IReadOnlyList{string})"/> with a
/// fixed schema (features a, b, c; label "label"; classes x, y, z). An input is accepted when either accepts it.</summary>
internal sealed class CsvTarget : FuzzTarget
{
    internal static readonly FeatureSchema Schema = new(["a", "b", "c"], "label", new Standardization([0.5, -1, 2], [1, 2, 0.5]));
    internal static readonly string[] Classes = ["x", "y", "z"];

    public override string Name => "csv";

    public override string Description => "CsvDataset.Load and CsvDataset.LoadForModel of CSV text";

    public override string FileName => "fuzz.csv";

    public override InputStyle Style => InputStyle.Text;

    public override IReadOnlyList<byte[]> Dictionary { get; } = Words.Of(
        "\"", ",", "\n", "\r\n", "\"\"", "label", "a", "b", "c", "x", "y", "z", "NaN", "inf", "-Infinity", "1e39", "-3.5e38", "\uFEFF", "\u00a0", " ", ",,,,", "\"a,b\"", "\"\n\"");

    public override IReadOnlyList<byte[]> Seeds() =>
    [
        Words.Utf8("a,b,c,label\n1,2,3,x\n4,5,6,y\n0.5,-1e3,7,z\n"),
        Words.Utf8("1,2,3,x\n4,5,6,y\n7,8,9,x\n"),
        Words.Utf8("label,c,b,a\nx,1,2,3\ny,4,5,6\nz,7,8,9\n"),
        // 15 rows for 3 classes: fewer would make the label column look like a measurement (at most rows/5 classes).
        Words.Utf8("\"a\",\"b, with a comma\",c,label\n" + string.Concat(Enumerable.Repeat("\"1\",2,3,\"x\"\n\"4\",\"5\",6,\"y\"\n7,8,9,\"z\"\n", 5))),
        Words.Utf8("\uFEFFa,b,c,label\r\n1,2,3,x\r\n\r\n2,3,4,y\r\n"),
        Words.Utf8("f1,f2,label\n1,2,1\n3,4,2\n5,6,1\n"),
        Words.Utf8("a,b,c,label\n1,2,3,\"x, quoted\"\n  4 , 5 ,6,y\n"),   // a label may not hold a line break (a control character)
    ];

    public override void Run(byte[] input)
    {
        Exception? rejection = null;
        try
        {
            using var stream = new MemoryStream(input, writable: false);
            var csv = CsvDataset.Load(stream, FileName);
            var data = csv.Data;
            if (data.Features.Rank != 2 || data.Features.Shape[0] != data.Count || data.Features.Shape[1] != csv.FeatureNames.Count
                || data.Labels.Any(l => l < 0 || l >= data.Classes) || data.Classes < 2)
                throw new InvariantException($"features {data.Features.Shape}, {data.Count} labels, {data.Classes} classes, {csv.FeatureNames.Count} feature names");
        }
        catch (DataFormatException e)
        {
            rejection = e;
        }

        try
        {
            using var stream = new MemoryStream(input, writable: false);
            var data = CsvDataset.LoadForModel(stream, FileName, Schema, Classes);
            if (data.Features.Rank != 2 || data.Features.Shape[0] != data.Count || data.Features.Shape[1] != 3 || data.Labels.Any(l => l is < 0 or > 2))
                throw new InvariantException($"features {data.Features.Shape}, {data.Count} labels");
            return;
        }
        catch (DataFormatException) when (rejection is null)
        {
            // The first reading accepted the input; a rejection by the second (both rejecting) propagates.
        }
    }
}
