using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Everything needed to continue a run exactly where it stopped: the weights and buffers, the optimiser's
/// state and step count, the random streams (the data order is replayed from the seed; dropout streams are
/// counter-based, so their state is a count), the position in the data, the learning rate and the history. A run
/// resumed from any checkpoint ends with the same weights, bit for bit, as one that never stopped.</summary>
/// <param name="Path">The file it was read from or written to.</param>
/// <param name="CompletedEpochs">Epochs finished.</param>
/// <param name="BatchesInEpoch">Batches of the next epoch already trained on (0 at an epoch's end).</param>
/// <param name="Step">Optimiser steps taken.</param>
/// <param name="LearningRate">The learning rate in effect.</param>
/// <param name="InitialLearningRate">The rate the run started with, from which schedules are computed.</param>
/// <param name="History">The finished epochs.</param>
/// <param name="Running">The running sums of the epoch in progress.</param>
/// <param name="Settings">The caller's text from <see cref="CheckpointOptions.Settings"/>.</param>
/// <param name="ModelState">The model's parameters and buffers by name.</param>
/// <param name="OptimizerState">The optimiser's buffers by name.</param>
/// <param name="Counters">The model's counters by name (<see cref="NN.Module.NamedCounters"/>): the draws of each dropout
/// layer's generator, <c>layers.3.draws</c>.</param>
/// <param name="Run">The run that saved it: a fresh run writes into its folder only over its own checkpoints, and
/// deletes only its own.</param>
/// <param name="CallbackState">State the callbacks keep across a resume, by name
/// (<see cref="Callbacks.ITrainingCallback.SaveState"/>): early stopping's best weights.</param>
/// <param name="StoppedEarly">Whether a callback stopped the run after its last finished epoch: a resume then trains
/// no further, as the uninterrupted run did not.</param>
public sealed record Checkpoint(
    string Path,
    int CompletedEpochs,
    int BatchesInEpoch,
    long Step,
    double LearningRate,
    double InitialLearningRate,
    IReadOnlyList<EpochResult> History,
    EpochTotals Running,
    string? Settings,
    IReadOnlyDictionary<string, Tensor> ModelState,
    IReadOnlyDictionary<string, Tensor> OptimizerState,
    IReadOnlyDictionary<string, long> Counters,
    RunIdentity Run,
    IReadOnlyDictionary<string, Tensor>? CallbackState = null,
    bool StoppedEarly = false);
