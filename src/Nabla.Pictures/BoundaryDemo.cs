using Nabla.Data;
using Nabla.Data.Datasets;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Pictures;

/// <summary>The lecture's opening demonstration: a network with one hidden layer of <c>hidden</c> ReLU units trained on
/// a 2-D toy problem, so that its decision regions can be drawn. One unit draws one line, two units bend it once,
/// fifty follow a spiral.</summary>
public static class BoundaryDemo
{
    /// <summary>Trains a 2-<paramref name="hidden"/>-C ReLU network on <paramref name="dataset"/> (spiral, moons or
    /// circles; 200 points per class) with Adam (learning rate 0.02, batch 32) for <paramref name="epochs"/> epochs,
    /// seeded by <paramref name="seed"/>; returns the network, the data and its training accuracy.</summary>
    /// <exception cref="ArgumentException">An unknown dataset, or fewer than one hidden unit or epoch.</exception>
    public static (Mlp Model, Dataset Data, double Accuracy) Train(string dataset, int hidden, int epochs = 1000, int seed = 0)
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "the demonstration needs at least one hidden unit");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "train for at least one epoch");
        var data = ToyData.Generate(dataset, seed: seed);
        var model = new Mlp(new MlpSpec(2, [hidden], data.Classes, Activation.Relu), seed);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.02));
        trainer.Fit(data, null, new TrainingOptions(epochs, BatchSize: 32, Seed: seed));
        return (model, data, Evaluator.Evaluate(model, data).Accuracy);
    }
}
