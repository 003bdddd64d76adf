// Runs a saved Nabla model and its ONNX export side by side on the test split of the dataset it was trained on, and
// reports how far apart they are: the largest difference of any logit, and how many predicted classes agree.
//
//   dotnet run --project src/Nabla.Cli -c Release -- export --model runs/fashion-mnist --onnx model.onnx
//   dotnet run --project examples/OnnxRuntimeCheck -c Release -- runs/fashion-mnist model.onnx
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Serialization;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: OnnxRuntimeCheck MODEL_DIR MODEL.onnx");
    return 2;
}

var (model, description) = ModelStore.Load(args[0]);
Dataset test = description.Dataset switch
{
    "digits" => Digits.LoadSplit().Test,
    "fashion-mnist" => FashionMnist.Load().Test,
    var other => throw new NotSupportedException($"this check knows the digits and fashion-mnist, not '{other}'"),
};

using var session = new InferenceSession(args[1]);
model.Eval();
const int BatchSize = 500;
double largestDifference = 0;
int agree = 0;
for (int start = 0; start < test.Count; start += BatchSize)
{
    int count = Math.Min(BatchSize, test.Count - start);
    var rows = test.Features.Slice(0, start, count);                           // (B, D)
    float[] nabla;
    using (GradMode.NoGrad()) nabla = model.Forward(rows).ToFloatArray();     // (B, C) logits

    var input = new DenseTensor<float>(rows.ToFloatArray(), [count, description.InputFeatures]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
    float[] onnx = results.First().AsEnumerable<float>().ToArray();            // (B, C) logits

    int classes = nabla.Length / count;
    for (int i = 0; i < count; i++)
    {
        var a = nabla.AsSpan(i * classes, classes);
        var b = onnx.AsSpan(i * classes, classes);
        for (int c = 0; c < classes; c++) largestDifference = Math.Max(largestDifference, Math.Abs(a[c] - b[c]));
        if (a.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(a)) == b.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(b))) agree++;
    }
}

Console.WriteLine($"{test.Name}: {test.Count} test examples; the same class from Nabla and ONNX Runtime for {agree} " +
                  $"({100.0 * agree / test.Count:F2}%); largest logit difference {largestDifference:E2}");
return agree == test.Count && largestDifference < 1e-4 ? 0 : 1;
