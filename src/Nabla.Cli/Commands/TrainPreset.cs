using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>The recipe <c>nabla train</c> uses for a dataset where an option is not given.</summary>
internal sealed record TrainPreset(string Hidden, string Optimizer, double SgdLearningRate, double Momentum, double L2, int Epochs, int BatchSize, LearningRateSchedule Schedule)
{
    /// <summary>Digits: a small network trained with annealed SGD and a little weight decay (≈97.5–98% test accuracy).</summary>
    public static TrainPreset Digits { get; } = new("256", "sgd", 0.1, 0.9, 1e-4, 40, 16, LearningRateSchedule.Cosine());

    /// <summary>Fashion-MNIST: benchmark workload W1's recipe (784-512-256-10, SGD η 0.05, μ 0.9, batch 128), 10 epochs.</summary>
    public static TrainPreset FashionMnist { get; } = new("512,256", "sgd", 0.05, 0.9, 0, 10, 128, LearningRateSchedule.Constant);

    /// <summary>A CSV table: standardised features, a modest network, annealed SGD with a little weight decay.</summary>
    public static TrainPreset Tabular { get; } = new("64", "sgd", 0.05, 0.9, 1e-4, 50, 32, LearningRateSchedule.Cosine());

    public static TrainPreset For(string dataset) => dataset switch
    {
        DatasetChoice.FashionMnist => FashionMnist,
        DatasetChoice.Csv => Tabular,
        _ => Digits,
    };

    /// <summary>Adam's usual starting rate, used whatever the dataset.</summary>
    public const double AdamLearningRate = 1e-3;

    /// <summary>RMSProp's and Adagrad's usual starting rate (PyTorch's defaults).</summary>
    public const double AdaptiveLearningRate = 1e-2;

    /// <summary>The learning rate when --lr is not given: the dataset's SGD rate, or the optimiser's usual one.</summary>
    public static double LearningRate(string optimizer, TrainPreset preset) => optimizer switch
    {
        "adam" or "adamw" => AdamLearningRate,
        "rmsprop" or "adagrad" => AdaptiveLearningRate,
        _ => preset.SgdLearningRate,
    };
}
