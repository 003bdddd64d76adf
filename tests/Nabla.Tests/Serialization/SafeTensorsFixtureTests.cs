using Nabla.Autograd;
using Nabla.NN;
using Nabla.NN.Layers;
using Nabla.Serialization;
using Nabla.Tensors;

namespace Nabla.Tests.Serialization;

/// <summary>Files written by an independent writer, tests/Fixtures/safetensors/make_fixture.py (Python's standard
/// library only), read by Nabla. The values follow the script's formulas at flat index i with a per-tensor seed s.</summary>
public sealed class SafeTensorsFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", name);

    private static double Signed(int i, int s) => ((((i * 7) + s) % 13) - 6) / 10.0;

    private static double Positive(int i, int s) => ((((i * 7) + s) % 13) + 1) / 10.0;

    private static double Quarter(int i, int s) => ((((i * 7) + s) % 13) - 6) / 4.0;

    private static double Integer(int i, int s) => (((i * 7) + s) % 13) - 6;

    private static double Unsigned(int i, int s) => ((i * 7) + s) % 13;

    private static double Boolean(int i, int s) => ((i * 7) + s) % 13 % 2;

    /// <summary>Checks shape, Nabla dtype and every value; Float32 tensors are compared with the formula rounded to
    /// float32, exactly as the script's struct.pack('&lt;f') rounds it.</summary>
    private static void Check(IReadOnlyDictionary<string, Tensor> tensors, string name, int[] shape, DType dtype, Func<int, int, double> formula, int seed)
    {
        var t = tensors[name];
        Assert.Equal(new Shape(shape), t.Shape);
        Assert.Equal(dtype, t.DType);
        if (dtype == DType.Float64)
        {
            var expected = Enumerable.Range(0, t.Count).Select(i => formula(i, seed)).ToArray();
            Assert.Equal(expected, t.ToDoubleArray());
        }
        else
        {
            var expected = Enumerable.Range(0, t.Count).Select(i => (float)formula(i, seed)).ToArray();
            Assert.Equal(expected, t.ToFloatArray());
        }
    }

    [Fact]
    public void The_mlp_fixture_is_read_with_every_shape_value_and_the_metadata()
    {
        var (tensors, metadata) = SafeTensors.Read(Fixture("mlp.safetensors"));
        // The header's order, which is neither sorted nor the order of the data.
        Assert.Equal(["layers.2.weight", "layers.0.bias", "layers.2.bias", "layers.0.weight"], tensors.Keys);
        Check(tensors, "layers.0.weight", [3, 4], DType.Float32, Signed, 1);
        Check(tensors, "layers.0.bias", [3], DType.Float32, Signed, 2);
        Check(tensors, "layers.2.weight", [2, 3], DType.Float32, Signed, 3);
        Check(tensors, "layers.2.bias", [2], DType.Float64, Signed, 4);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["source"] = "make_fixture.py" }, metadata);
    }

    [Fact]
    public void The_cnn_fixture_is_read_including_pytorchs_int64_num_batches_tracked()
    {
        var (tensors, metadata) = SafeTensors.Read(Fixture("cnn.safetensors"));
        Assert.Equal(9, tensors.Count);
        Check(tensors, "1.weight", [3, 2, 3, 3], DType.Float32, Signed, 5);
        Check(tensors, "1.bias", [3], DType.Float32, Signed, 6);
        Check(tensors, "2.weight", [3], DType.Float32, Positive, 7);
        Check(tensors, "2.bias", [3], DType.Float32, Signed, 8);
        Check(tensors, "2.running_mean", [3], DType.Float32, Signed, 9);
        Check(tensors, "2.running_var", [3], DType.Float32, Positive, 10);
        Check(tensors, "2.num_batches_tracked", [], DType.Float32, (_, _) => 7, 0);
        Check(tensors, "6.weight", [2, 12], DType.Float32, Signed, 11);
        Check(tensors, "6.bias", [2], DType.Float32, Signed, 12);
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void Every_other_dtype_is_converted_to_float32_and_scalars_and_empty_tensors_are_read()
    {
        var (tensors, metadata) = SafeTensors.Read(Fixture("dtypes.safetensors"));
        Assert.Equal(13, tensors.Count);
        Assert.Empty(metadata);
        Check(tensors, "f16", [2, 3], DType.Float32, Quarter, 13);
        Check(tensors, "bf16", [3, 2], DType.Float32, Quarter, 14);
        Check(tensors, "i64", [4], DType.Float32, Integer, 15);
        Check(tensors, "i32", [2, 2], DType.Float32, Integer, 16);
        Check(tensors, "i16", [3], DType.Float32, Integer, 17);
        Check(tensors, "i8", [5], DType.Float32, Integer, 18);
        Check(tensors, "u64", [2], DType.Float32, Unsigned, 19);
        Check(tensors, "u32", [3], DType.Float32, Unsigned, 20);
        Check(tensors, "u16", [2], DType.Float32, Unsigned, 21);
        Check(tensors, "u8", [4], DType.Float32, Unsigned, 22);
        Check(tensors, "bool", [6], DType.Float32, Boolean, 23);
        Check(tensors, "scalar", [], DType.Float64, Signed, 24);
        Check(tensors, "empty", [0, 3], DType.Float32, Signed, 25);
        Assert.Equal(1, tensors["scalar"].Count);
        Assert.Equal(0, tensors["empty"].Count);
    }

    [Fact]
    public void The_fixtures_state_loads_into_a_nabla_mlp_and_gives_the_reference_logits()
    {
        var model = new Mlp(new MlpSpec(4, [3], 2));
        var (state, _) = SafeTensors.Read(Fixture("mlp.safetensors"));
        model.LoadStateDict(state);
        Assert.Equal(state["layers.0.weight"].ToFloatArray(), ((Linear)model.Layers.Modules[0]).Weight.ToFloatArray());
        var (expected, _) = SafeTensors.Read(Fixture("expected.safetensors"));
        AssertClose(expected["mlp.logits"], Logits(model, expected["mlp.input"]));
    }

    [Fact]
    public void The_fixtures_cnn_state_loads_into_the_network_its_description_builds_and_gives_the_reference_logits()
    {
        var (model, _) = Architecture.Build("conv3k3p1-bn-relu-pool2-flatten-fc2", [2, 5, 5], new Random(0));
        var (state, _) = SafeTensors.Read(Fixture("cnn.safetensors"));
        // The names line up, num_batches_tracked aside (accepted and ignored).
        Assert.Equal(state.Keys.Where(k => k != "2.num_batches_tracked").Order(StringComparer.Ordinal), model.NamedState().Select(p => p.Key).Order(StringComparer.Ordinal));
        model.LoadStateDict(state);
        model.Eval();
        var (expected, _) = SafeTensors.Read(Fixture("expected.safetensors"));
        AssertClose(expected["cnn.logits"], Logits(model, expected["cnn.input"]));
    }

    private static Tensor Logits(Module model, Tensor input)
    {
        using var _ = GradMode.NoGrad();
        return model.Forward(input);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) < 1e-5, $"logit {i}: expected {e[i]}, Nabla gives {a[i]}");
    }
}
