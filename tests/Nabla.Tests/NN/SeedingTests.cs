using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;
using Nabla.Tests.Training;

namespace Nabla.Tests.NN;

/// <summary>One seeding rule for every layer: a layer takes an optional generator (without one it draws from its
/// thread's default), and a model's seed (<see cref="Module.ResetParameters"/>) decides all of its initial weights.</summary>
public sealed class SeedingTests
{
    private static double[][] State(Module model) => [.. model.NamedState().Select(p => p.Value.ToDoubleArray())];

    [Fact]
    public void A_models_seed_decides_its_weights_whatever_generators_its_layers_were_made_with()
    {
        var a = new SmallResidualMlp(6, seed: 1, DType.Float64);
        var b = new SmallResidualMlp(6, seed: 2, DType.Float64);
        Assert.NotEqual(State(a)[0], State(b)[0]);
        var parameters = a.Parameters().ToList();

        a.ResetParameters(seed: 7);
        b.ResetParameters(seed: 7);
        Assert.Equal(State(a), State(b));
        Assert.Equal(parameters, a.Parameters());   // the same tensors, refilled: an optimiser made before still holds them

        b.ResetParameters(seed: 8);
        Assert.NotEqual(State(a)[0], State(b)[0]);
    }

    [Fact]
    public void Layers_made_without_a_generator_do_not_start_alike_and_a_seed_makes_them_repeatable()
    {
        var model = new Sequential(new Linear(8, 8), new Relu(), new Linear(8, 8), new Conv2d(2, 2, 3), new Embedding(4, 3));
        var first = (Linear)model.Modules[0];
        var second = (Linear)model.Modules[2];
        Assert.NotEqual(first.Weight.ToDoubleArray(), second.Weight.ToDoubleArray());   // no symmetric start

        var again = new Sequential(new Linear(8, 8), new Relu(), new Linear(8, 8), new Conv2d(2, 2, 3), new Embedding(4, 3));
        model.ResetParameters(seed: 3);
        again.ResetParameters(seed: 3);
        Assert.Equal(State(model), State(again));
    }

    [Fact]
    public void Normalisation_layers_go_back_to_ones_zeros_and_fresh_running_statistics()
    {
        var norm = new LayerNorm(4);
        var group = new GroupNorm(2, 4);
        var batch = new BatchNorm1d(4);
        var model = new Sequential(new Linear(3, 4, new Random(0)), norm, group, batch);
        model.Forward(Tensor.Normal([5, 3], 0, 1, new Random(1)));   // moves batch norm's running statistics
        foreach (var p in model.Parameters()) p.Fill(0.25);

        model.ResetParameters(seed: 0);
        foreach (var (weight, bias) in new[] { (norm.Weight, norm.Bias), (group.Weight, group.Bias), (batch.Weight, batch.Bias) })
        {
            Assert.All(weight.ToDoubleArray(), v => Assert.Equal(1, v));
            Assert.All(bias.ToDoubleArray(), v => Assert.Equal(0, v));
        }

        Assert.All(batch.RunningMean.ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.All(batch.RunningVariance.ToDoubleArray(), v => Assert.Equal(1, v));
    }
}
