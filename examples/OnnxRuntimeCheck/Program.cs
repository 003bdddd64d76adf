// Runs a saved Nabla model and its ONNX export side by side on the test split of the dataset it was trained on (or, for
// a model trained on a CSV file, on every row of a CSV file: Nabla standardises the rows as predict does, ONNX Runtime
// gets them raw, as any ONNX user would), and reports how far apart they are: the largest difference of any logit, and
// how many predicted classes agree.
//
//   dotnet run --project src/Nabla.Cli -c Release -- export --model runs/fashion-mnist --onnx model.onnx
//   dotnet run --project examples/OnnxRuntimeCheck -c Release -- runs/fashion-mnist model.onnx
//   dotnet run --project examples/OnnxRuntimeCheck -c Release -- runs/iris iris.onnx iris.csv
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Serialization;
using NablaTensor = Nabla.Tensors.Tensor;

if (args.Length is not (2 or 3))
{
    Console.Error.WriteLine("usage: OnnxRuntimeCheck MODEL_DIR MODEL.onnx [ROWS.csv, for a model trained on a CSV file]");
    return 2;
}

var (model, description) = ModelStore.Load(args[0]);
string name;
NablaTensor networkInput, onnxInput;   // (N, D): what Nabla's network takes, and what the exported graph takes
int[]? labels = null;
if (description.Features is { } schema)
{
    if (args.Length != 3) throw new ArgumentException("the model was trained on a CSV file: give the CSV file to check it on");
    var table = CsvTable.Read(args[2]);
    onnxInput = CsvDataset.ReadFeatures(table, schema.FeatureNames, schema.LabelColumn);   // raw rows
    networkInput = CsvDataset.ReadFeatures(table, schema);                                 // standardised, as predict does
    if (table.Header is null || table.Header.Contains(schema.LabelColumn))
        labels = CsvDataset.LoadForModel(table, schema, description.ClassNames!).Labels;
    name = Path.GetFileName(args[2]);
}
else
{
    Dataset test = description.Dataset switch
    {
        "digits" => Digits.LoadSplit().Test,
        "fashion-mnist" => FashionMnist.Load().Test,
        var other => throw new NotSupportedException($"this check knows the digits and fashion-mnist, not '{other}'"),
    };
    (networkInput, onnxInput, labels, name) = (test.Features, test.Features, test.Labels, test.Name);
}

int examples = networkInput.Shape[0];
using var session = new InferenceSession(args[1]);
model.Eval();
const int BatchSize = 500;
double largestDifference = 0;
int agree = 0, onnxCorrect = 0;
for (int start = 0; start < examples; start += BatchSize)
{
    int count = Math.Min(BatchSize, examples - start);
    float[] nabla;
    using (GradMode.NoGrad()) nabla = model.Forward(networkInput.Slice(0, start, count)).ToFloatArray();     // (B, C) logits

    var input = new DenseTensor<float>(onnxInput.Slice(0, start, count).ToFloatArray(), [count, description.InputFeatures]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
    float[] onnx = results.First().AsEnumerable<float>().ToArray();            // (B, C) logits

    int classes = nabla.Length / count;
    for (int i = 0; i < count; i++)
    {
        var a = nabla.AsSpan(i * classes, classes);
        var b = onnx.AsSpan(i * classes, classes);
        for (int c = 0; c < classes; c++) largestDifference = Math.Max(largestDifference, Math.Abs(a[c] - b[c]));
        int onnxClass = b.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(b));
        if (a.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(a)) == onnxClass) agree++;
        if (labels is not null && labels[start + i] == onnxClass) onnxCorrect++;
    }
}

string accuracy = labels is null ? "" : $"; ONNX Runtime's accuracy {100.0 * onnxCorrect / examples:F2}%";
Console.WriteLine($"{name}: {examples} examples; the same class from Nabla and ONNX Runtime for {agree} " +
                  $"({100.0 * agree / examples:F2}%); largest logit difference {largestDifference:E2}{accuracy}");
return agree == examples && largestDifference < 1e-4 ? 0 : 1;
