using Nabla.Backends;
using Nabla.GradientChecking;
using Nabla.Tensors;
using Nabla.Tests;

namespace Nabla.Cuda.Tests;

/// <summary>Every case of the op table's gradient checks (<see cref="OpGradientCases"/>, the CPU's own) run on the GPU's
/// backend on ILGPU's CPU accelerator, in float64: the inputs, the weighting and every intermediate on the device, the
/// backpropagated gradient against centred finite differences.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuGradientCheckTests(CpuAcceleratorFixture fixture)
{
    public static TheoryData<string> CaseNames => [.. OpGradientCases.Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backpropagation_on_the_GPU_matches_finite_differences(string name)
    {
        var c = OpGradientCases.Cases[name];
        var random = new Random(name.Length * 7919);
        using (Backend.Use(fixture.Backend))
        {
            var inputs = c.Shapes.Select(s => OpGradientCases.Make(s, c.Kind, random)).ToArray();
            var output = c.Op(inputs);
            Assert.Equal(Device.Cuda, output.Device);
            var weights = Tensor.Normal(output.Shape, 0, 1, random, DType.Float64);
            var report = GradientChecker.Check(
                () => (c.Op(inputs) * weights).Sum(),
                inputs.Select((t, i) => new KeyValuePair<string, Tensor>($"x{i}", t)));
            Assert.True(report.Passed, $"{name}:\n{report}");
            Assert.All(report.Parameters, p => Assert.True(p.RelativeError < 1e-6, p.ToString()));
            Assert.All(inputs, x => Assert.Equal(Device.Cuda, x.Grad!.Device));
        }
    }
}
