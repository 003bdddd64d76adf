using Nabla.Losses;
using Nabla.NN.Activations;

namespace Nabla.Cli.Commands;

/// <summary>The validated options of <c>nabla train</c>.</summary>
internal sealed record TrainSettings(
    string Dataset,
    string? DataDirectory,
    int[] Hidden,
    Activation Activation,
    Loss Loss,
    string Optimizer,
    double LearningRate,
    double Momentum,
    bool Nesterov,
    double L2,
    double L1,
    int Epochs,
    int BatchSize,
    int Seed,
    int Threads,
    string OutputDirectory);
