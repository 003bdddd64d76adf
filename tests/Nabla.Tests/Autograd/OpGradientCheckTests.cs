using Nabla.GradientChecking;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>The one table of op cases (<see cref="OpGradientCases"/>): every differentiable operation, on random float64
/// inputs (broadcast shapes included), has its backpropagated gradient checked against centred finite differences.</summary>
public sealed class OpGradientCheckTests
{
    public static TheoryData<string> CaseNames => [.. OpGradientCases.Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backpropagation_matches_finite_differences(string name)
    {
        var c = OpGradientCases.Cases[name];
        var random = new Random(name.Length * 7919);
        var inputs = c.Shapes.Select(s => OpGradientCases.Make(s, c.Kind, random)).ToArray();

        // Weighting the output by a fixed random tensor makes every output element's gradient differ.
        var output = c.Op(inputs);
        var weights = Tensor.Normal(output.Shape, 0, 1, random, DType.Float64);
        var report = GradientChecker.Check(
            () => (c.Op(inputs) * weights).Sum(),
            inputs.Select((t, i) => new KeyValuePair<string, Tensor>($"x{i}", t)));

        Assert.True(report.Passed, $"{name}:\n{report}");
        Assert.All(report.Parameters, p => Assert.True(p.RelativeError < 1e-6, p.ToString()));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Every_op_passes_its_gradient_check_under_the_checking_backend(string name)
    {
        // The same check with every fresh buffer poisoned with NaN, and every kernel's reads and writes watched: a
        // kernel that reads a buffer nothing wrote, or touches one it did not declare, throws; one that leaves part of
        // its output unwritten leaves NaN, which the gradient check reports.
        var c = OpGradientCases.Cases[name];
        var random = new Random(name.Length * 7919);
        var checking = new Nabla.Backends.CheckingBackend();
        using (Nabla.Backends.Backend.Use(checking))
        {
            var inputs = c.Shapes.Select(s => OpGradientCases.Make(s, c.Kind, random)).ToArray();
            var output = c.Op(inputs);
            var weights = Tensor.Normal(output.Shape, 0, 1, random, DType.Float64);
            var report = GradientChecker.Check(
                () => (c.Op(inputs) * weights).Sum(),
                inputs.Select((t, i) => new KeyValuePair<string, Tensor>($"x{i}", t)));
            Assert.False(output.HasNonFinite(), $"{name}: poison reached the output");
            Assert.True(report.Passed, $"{name}:\n{report}");
        }

        Assert.True(checking.Launches > 0, $"{name}: no kernel ran under the checks");
    }

    /// <summary>Cases whose op builds a tensor from host values inside it (the index or mask tensor of the case, host
    /// labels): a capture notices and refuses replay, and a training step runs them eagerly.</summary>
    private static readonly HashSet<string> BuildsFromHostValues =
    [
        "where broadcast", "embedding with a repeated index", "softmax cross-entropy (fused)",
        "cross-entropy with label smoothing and class weights", "binary cross-entropy with logits",
        "binary cross-entropy, one class against the rest", "huber", "negative log-likelihood",
        "softmax cross-entropy, scaled upstream",
    ];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Every_op_captured_fused_and_replayed_on_new_inputs_gives_the_eager_values_and_gradients_bit_for_bit(string name)
    {
        var c = OpGradientCases.Cases[name];
        var random = new Random(name.Length * 7919);
        var inputs = c.Shapes.Select(s => OpGradientCases.Make(s, c.Kind, random)).ToArray();
        var weights = Tensor.Normal(c.Op(inputs).Shape, 0, 1, random, DType.Float64);

        // Forward and backward recorded, fused and planned as a captured step's are.
        Tensor objective;
        Nabla.Engine.RecordedKernel[] kernels;
        IReadOnlyList<Nabla.Backends.BackendStorage> created;
        using (var tape = Nabla.Engine.KernelTape.Record())
        {
            objective = (c.Op(inputs) * weights).Sum();
            objective.Backward();
            if (BuildsFromHostValues.Contains(name))
            {
                Assert.NotNull(tape.Spoiled);
                return;
            }

            Assert.True(tape.Spoiled is null, $"{name}: {tape.Spoiled}");
            (kernels, created) = (tape.Freeze(), tape.Created);
        }

        if (name.StartsWith("dropout", StringComparison.Ordinal))
        {
            // A replay draws the next mask, as an eager step of the same module would; the case's op makes a new
            // module each call, so there is no eager twin to compare with here (W5's captures hold dropout to eager).
            return;
        }

        var kept = inputs.Append(objective).Concat(inputs.Select(x => x.Grad!)).Select(t => t.Storage).ToArray();
        kernels = Nabla.Engine.KernelFusion.Apply(kernels, kept, out _);
        Nabla.Engine.BufferPlan.Apply(kernels, created, kept);

        var fresh = c.Shapes.Select(s => OpGradientCases.Make(s, c.Kind, random)).ToArray();
        for (int i = 0; i < inputs.Length; i++) inputs[i].Detach().CopyFrom(fresh[i]);
        foreach (var kernel in kernels) kernel.Run();

        var expected = (c.Op(fresh) * weights).Sum();
        expected.Backward();
        Assert.Equal(expected.Item(), objective.Item());
        for (int i = 0; i < inputs.Length; i++)
            Assert.True(fresh[i].Grad!.ToDoubleArray().SequenceEqual(inputs[i].Grad!.ToDoubleArray()), $"{name}: the gradient of input {i} differs");
    }
}
