// Nabla's half of ../torch_round_trip.py: reads the files PyTorch's half exported, checks Nabla's logits against
// torch's, and writes Nabla-initialised networks (and their logits) for PyTorch's half to import.
//     dotnet run --project tests/Fixtures/safetensors/round-trip -c Release -- DIR
using System.Globalization;
using Nabla.Autograd;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Serialization;
using Nabla.Tensors;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: RoundTrip DIR (after torch_round_trip.py export DIR)");
    return 2;
}

string dir = args[0];
var cases = new (string Name, Func<Module> Make, int Features)[]
{
    ("mlp", () => new Mlp(new MlpSpec(4, [16, 8], 3), seed: 3), 4),
    ("cnn_a", () => Architecture.Build("conv4k3p1-bn-relu-pool2-conv6k3p1g2-relu-flatten-fc10-bn-tanh-dropout0.5-fc3", [1, 8, 8], new Random(3)).Model, 64),
    ("cnn_b", () => Architecture.Build("conv4k3s2-gelu-gap-fc3", [2, 7, 7], new Random(3)).Model, 98),
};
foreach (var (name, make, features) in cases)
{
    // PyTorch -> Nabla.
    var model = make();
    var (weights, _) = SafeTensors.Read(Path.Combine(dir, $"{name}.torch.safetensors"));
    model.LoadStateDict(weights);
    model.Eval();
    var (io, _) = SafeTensors.Read(Path.Combine(dir, $"{name}.torch-io.safetensors"));
    double difference = MaxDifference(io["logits"], Logits(model, io["input"]));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: loaded {weights.Count} torch tensors into [{string.Join(", ", model.NamedState().Select(p => p.Key))}]; max |Nabla - torch| = {difference:G3}"));
    if (difference > 1e-5) return 1;

    // Nabla -> PyTorch: fresh weights, batch norms given non-trivial γ, β and running statistics.
    var mine = make();
    var random = new Random(11);
    foreach (var bn in Walk(mine).OfType<BatchNorm>())
    {
        foreach (ref float g in bn.Weight.AsSpan<float>()) g = 0.5f + random.NextSingle();
        foreach (ref float b in bn.Bias.AsSpan<float>()) b = random.NextSingle() - 0.5f;
    }

    mine.Train();
    for (int i = 0; i < 3; i++) Logits(mine, Tensor.Normal([16, features], 0, 1, random));
    mine.Eval();
    var x = Tensor.Normal([5, features], 0, 1, random);
    SafeTensors.Write(Path.Combine(dir, $"{name}.nabla.safetensors"), mine.NamedState(), new Dictionary<string, string> { ["format"] = "pt" });
    SafeTensors.Write(Path.Combine(dir, $"{name}.nabla-io.safetensors"), [new("input", x), new("logits", Logits(mine, x))]);
}

return 0;

static Tensor Logits(Module model, Tensor input)
{
    using var _ = GradMode.NoGrad();
    return model.Forward(input);
}

static double MaxDifference(Tensor a, Tensor b) => a.ToDoubleArray().Zip(b.ToDoubleArray(), (p, q) => Math.Abs(p - q)).Max();

static IEnumerable<Module> Walk(Module m) => m.NamedChildren().SelectMany(c => Walk(c.Value)).Prepend(m);
