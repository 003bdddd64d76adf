using Nabla.Data.Datasets;
using Nabla.Initialization;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Tests.Training;

public sealed class SanityChecksTests
{
    [Fact]
    public void A_sound_network_passes_every_check()
    {
        var (train, _) = Digits.LoadSplit();
        var report = SanityChecks.Run(() => new Mlp(new MlpSpec(64, [32], 10), seed: 0), new CrossEntropyLoss(), m => new Sgd(m.Parameters(), 0.1, momentum: 0.9), train);
        Assert.True(report.Passed, report.ToString());
        Assert.InRange(report.InitialLoss, 2.0, 2.6);
        Assert.Equal(4, report.Layers.Count);
        Assert.All(report.Layers, l => Assert.True(l.GradientNorm > 0 && l.UpdateRatio > 0, l.ToString()));
    }

    [Fact]
    public void Huge_initial_weights_and_a_learning_rate_that_cannot_learn_are_flagged()
    {
        var (train, _) = Digits.LoadSplit();
        var report = SanityChecks.Run(
            () => new Mlp(new MlpSpec(64, [32], 10, Init: new Initializer(InitMethod.Normal, 30)), seed: 0),
            new CrossEntropyLoss(), m => new Sgd(m.Parameters(), 1e-9), train, maxSubsetSteps: 20);
        Assert.False(report.InitialLossPlausible, report.ToString());
        Assert.True(report.SubsetAccuracy < 1, report.ToString());
        Assert.False(report.Passed);
        Assert.Contains("SUSPICIOUS", report.ToString(), StringComparison.Ordinal);
    }
}
