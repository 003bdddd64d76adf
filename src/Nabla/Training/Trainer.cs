using System.Diagnostics;
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training.Callbacks;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Empirical risk minimisation by mini-batch SGD: each step minimises
/// (1/B) Σᵢ L(f(x⁽ⁱ⁾; W), y⁽ⁱ⁾) + λΩ(W) over one batch with the optimiser's update rule.</summary>
public sealed class Trainer
{
    /// <summary>A trainer of <paramref name="model"/> (which outputs logits) with a loss, an optimiser over the model's
    /// parameters, and optional regularisers.</summary>
    /// <exception cref="ArgumentException">The optimiser holds none of the model's parameters (it was made for another model).</exception>
    /// <exception cref="InvalidOperationException">A module of the model keeps a submodule or parameter in a field without registering it (<see cref="ModuleRegistration"/>).</exception>
    public Trainer(Module model, Loss loss, Optimizer optimizer, IReadOnlyList<Regularizer>? regularizers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ModuleRegistration.ThrowIfUnregistered(model);   // a submodule kept in a field but never registered would not train
        var own = model.Parameters().ToHashSet(ReferenceEqualityComparer.Instance);
        if (!optimizer.Parameters.Any(own.Contains))
            throw new ArgumentException($"the optimiser holds none of the model's {own.Count} parameters: was it made for another model?", nameof(optimizer));
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Regularizers = regularizers ?? [];
        _step = TrainingStep.Capture(model, loss, optimizer, Regularizers);
    }

    /// <summary>The network.</summary>
    public Module Model { get; }

    /// <summary>L.</summary>
    public Loss Loss { get; }

    /// <summary>The update rule.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The λΩ terms.</summary>
    public IReadOnlyList<Regularizer> Regularizers { get; }

    private readonly TrainingStep _step;

    // The validation pass of every epoch replays one capture per batch shape instead of allocating its buffers afresh.
    private InferenceStep? _validationStep;
    private GradientAllReduce? _lastReduce;

    /// <summary>Whether steps are captured once per batch shape and replayed without allocation or graph building
    /// (default true; see <see cref="TrainingStep"/>); false runs every step eagerly through autograd (to compare, or
    /// to debug). Both give the same weights, bit for bit.</summary>
    public bool CaptureSteps
    {
        get => _step.Captures;
        set => _step.Captures = value;
    }

    /// <summary>How the steps ran: captures made, replays, eager steps, and why a capture failed.</summary>
    public TrainingStep CapturedStep => _step;

    /// <summary>When set, the gradients' joint L2 norm is clipped to this before every update
    /// (<see cref="GradientClipping.ClipByNorm"/>); null (the default) leaves them as they are.</summary>
    public double? ClipGradientNorm
    {
        get => _step.ClipGradientNorm;
        set => _step.ClipGradientNorm = value;
    }

    /// <summary>When set to a group of more than one rank, <see cref="Fit"/> trains data-parallel: every rank holds a
    /// full replica, trains on its part of each global batch of <see cref="TrainingOptions.BatchSize"/> rows, and the
    /// gradients are summed across the ranks before the same update on every rank (<see cref="GradientAllReduce"/>),
    /// so N ranks train the model one process would, to rounding. Null (the default), or a group of one, is a single
    /// process.</summary>
    /// <remarks>
    /// <para>At the start every rank's data and options are checked against rank 0's and rank 0's weights are copied to
    /// all (<see cref="RankAgreement"/>). Only rank 0 writes checkpoints; every rank resumes from the same one.</para>
    /// <para>Dropout draws the masks a single process would draw for the rank's rows (<see cref="BatchShard"/>). Batch
    /// normalisation normalises each rank's part with that part's statistics (as PyTorch's DistributedDataParallel
    /// does without SyncBatchNorm), so a network with it trains close to, not exactly as, one process, unless
    /// <see cref="SyncBatchNorm"/> is set; its running statistics are rank 0's, copied to every rank after each step.</para>
    /// <para>Sums are added in rank order (<see cref="IProcessGroup.SumInRankOrder(Span{float})"/>): a run with the
    /// same N and seed is the same bit for bit.</para>
    /// </remarks>
    public IProcessGroup? ProcessGroup { get; set; }

    /// <summary>With a <see cref="ProcessGroup"/>, whether batch normalisation uses the statistics of the whole global
    /// batch, summed across the ranks inside each step (PyTorch's SyncBatchNorm), instead of each rank's own rows'
    /// (the default, cheaper: no collective inside the step). Synchronised, N ranks train a network with batch norm as
    /// one process does, to rounding. No effect in a single process.</summary>
    public bool SyncBatchNorm { get; set; }

    /// <summary>With a <see cref="ProcessGroup"/> that may be called from any thread, whether a replayed step sums each
    /// bucket of gradients across the ranks on a thread of its own while its backward pass computes the earlier layers'
    /// (PyTorch DDP's overlap). The bits are the same either way. Set it when each rank has a core to spare for that
    /// thread (more cores than <see cref="Parallelism"/> threads per rank): on cores all busy with kernels the thread
    /// only takes time from them (W1 ran at a quarter of the speed so, two ranks on two cores), so the default, false,
    /// sums all gradients after the backward pass. The command line sets it where a core is left over.</summary>
    public bool OverlapGradientSum { get; set; }

    /// <summary>Gradient buckets the last data-parallel <see cref="Fit"/> summed while its backward passes ran.</summary>
    internal long GradientBucketsOverlapped => _lastReduce?.BucketsOverlapped ?? 0;

    /// <summary>How many steps this trainer has taken (by <see cref="Step"/> or <see cref="Fit"/>), whichever way they
    /// ran (<see cref="CapturedStep"/> says how).</summary>
    public long Steps { get; private set; }

    /// <summary>One step on one batch: forward, loss, backward, update. Returns the data loss and the number correct.
    /// A step of this process alone: <see cref="ProcessGroup"/> is used by <see cref="Fit"/>, which gives each rank its
    /// rows of every batch.</summary>
    /// <remarks>A step trains: a model left in evaluation mode (by <c>Eval()</c>, for inference) is put back in training
    /// mode first, as <see cref="Fit"/> does. A submodule put in evaluation mode on its own while the model
    /// is in training mode (a frozen batch normalisation) stays so.</remarks>
    /// <exception cref="ArgumentException">The batch does not fit the model or the loss (a label count other than the
    /// batch size, a wrong feature shape, a label outside the classes); thrown before any parameter moves.</exception>
    /// <exception cref="InvalidOperationException">The loss is NaN or infinite; the parameters are left as they were before the step.</exception>
    public (double Loss, int Correct) Step(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var result = _step.Run(batch);
        Steps++;
        return result;
    }

    /// <summary>Trains for <see cref="TrainingOptions.Epochs"/> epochs, evaluating on <paramref name="validation"/> after
    /// each, and calls <paramref name="onEpoch"/> with every epoch's result, then each of <paramref name="callbacks"/>
    /// (which may stop training early). With <see cref="TrainingOptions.Checkpoints"/>, checkpoints are saved as it goes;
    /// with <paramref name="resumeFrom"/>, training continues from that checkpoint (made by a run with the same model,
    /// optimiser, data and options) and ends with the same weights, bit for bit, as a run that never stopped; a run that
    /// a callback had stopped early trains no further.</summary>
    /// <remarks>
    /// <para>Modes: a model left in evaluation mode as a whole (by <c>Eval()</c>, for inference) is put in training
    /// mode; a submodule the caller put in evaluation mode on its own (a frozen batch normalisation) stays so for the
    /// whole run. The modes are taken once at the start and put back at every epoch's start, after evaluation and the
    /// callbacks, whatever they changed.</para>
    /// <para>Checkpoints carry the run's identity (<see cref="RunIdentity"/>): a fresh run gets a new id (or
    /// <see cref="CheckpointOptions.RunId"/>), a resumed one keeps its checkpoint's. A run refuses a checkpoint folder
    /// that holds another run's checkpoints, or that is a symbolic link, and deletes only its own old checkpoints.</para>
    /// </remarks>
    /// <exception cref="OperationCanceledException"><see cref="TrainingOptions.Cancellation"/> was signalled; a checkpoint
    /// was saved first if checkpoints are on.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite; the message names the
    /// step and the first layer whose values went non-finite. No checkpoint is written after it.</exception>
    /// <exception cref="ArgumentException">Before any training: a dataset is empty or has a non-finite feature (the
    /// message names the dataset, example and feature), the validation set's features or classes differ from the
    /// training set's, or the checkpoint folder holds another run's checkpoints.</exception>
    /// <exception cref="IOException">Before any training: the checkpoint folder is a symbolic link or a file.</exception>
    /// <exception cref="RankSetupException">Data-parallel, before any training, on every rank: a rank's data or options
    /// differ from rank 0's, or a batch would leave a rank too few rows (none; fewer than 2 with batch norm).</exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingOptions options, Action<EpochResult>? onEpoch = null, IReadOnlyList<ITrainingCallback>? callbacks = null, Checkpoint? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        callbacks ??= [];
        train.ThrowIfEmpty("train on");
        train.ThrowIfNotFinite();
        if (validation is not null)
        {
            validation.ThrowIfEmpty("validate on");
            train.ThrowIfUnlike(validation);
            validation.ThrowIfNotFinite();
        }

        // A data-parallel run checks that every rank agrees before it trains; what could fail on one rank alone before
        // this point (the data's checks) fails on all of them alike, since they hold the same data.
        var group = ProcessGroup is { Size: > 1 } g ? g : null;
        if (group is not null) RankAgreement.Check(group, this, train, validation, options, resumeFrom);
        if (group is not null) ThrowUnlessEveryRankHasRows(group, train, options.BatchSize);
        using var reduce = group is null ? null : new GradientAllReduce(group) { Overlaps = OverlapGradientSum && group.CallableFromAnyThread };
        _lastReduce = reduce;
        var buffers = group is null ? [] : Model.NamedBuffers().Select(b => b.Value).ToArray();
        var run = RunOf(train, options.Checkpoints, resumeFrom);
        var loader = new DataLoader(train, options.BatchSize, options.Shuffle, options.Seed, reuseBatches: true);
        var results = new List<EpochResult>();
        double initialRate = Optimizer.LearningRate;
        int firstEpoch = 1, startBatch = 0;
        var totals = default(EpochTotals);
        if (resumeFrom is not null)
        {
            if (resumeFrom.CompletedEpochs > options.Epochs || resumeFrom.BatchesInEpoch > loader.BatchesPerEpoch)
                throw new ArgumentException($"{resumeFrom.Path}: the checkpoint is at epoch {resumeFrom.CompletedEpochs + 1}, batch {resumeFrom.BatchesInEpoch}, beyond this run's {options.Epochs} epochs of {loader.BatchesPerEpoch} batches", nameof(resumeFrom));
            Restore(resumeFrom);
            results.AddRange(resumeFrom.History);
            initialRate = resumeFrom.InitialLearningRate;
            loader.SkipEpochs(resumeFrom.CompletedEpochs);   // the data order is replayed from the seed
            (firstEpoch, startBatch, totals) = (resumeFrom.CompletedEpochs + 1, resumeFrom.BatchesInEpoch, resumeFrom.Running);
            if (resumeFrom.StoppedEarly) firstEpoch = options.Epochs + 1;   // the run had ended: only its end remains
            var state = resumeFrom.CallbackState ?? new Dictionary<string, Tensor>();
            foreach (var callback in callbacks) callback.RestoreState(state);
            foreach (var callback in callbacks) callback.OnResume(this, results);
        }

        // A model in evaluation mode as a whole was left so for inference; a submodule in evaluation mode under a
        // training model was frozen on purpose and stays so.
        if (!Model.IsTraining) Model.Train();
        var modes = Model.CaptureModes();
        for (int epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            NN.Module.RestoreModes(modes);

            // An epoch resumed half-way keeps the rate it was running with; schedules are consulted at epoch starts.
            if (startBatch == 0) Optimizer.LearningRate = (options.Schedule ?? LearningRateSchedule.Constant).Rate(epoch - 1, options.Epochs, initialRate, Optimizer.LearningRate, results);
            var clock = Stopwatch.StartNew();
            int batchNumber = startBatch, seenBeforeResume = totals.Seen;
            foreach (var part in loader.Parts(startBatch, group?.Rank ?? 0, group?.Size ?? 1))
            {
                double loss;
                int batchCorrect;
                bool anyRankStops = false;
                if (reduce is null)
                {
                    (loss, batchCorrect) = Step(part.Local!);
                }
                else
                {
                    // Across ranks the token is read before the step and agreed on in the step's sum, so that all
                    // ranks stop after the same step.
                    (loss, batchCorrect, anyRankStops) = _step.RunShard(part.Local!, new BatchShard(part.FirstRow, part.GlobalRows, SyncBatchNorm ? group : null), reduce, options.Cancellation.IsCancellationRequested);
                    Steps++;
                    foreach (var buffer in buffers) RankAgreement.Broadcast(group!, buffer);   // rank 0's running statistics
                }

                totals = new EpochTotals(totals.LossSum + loss * part.GlobalRows, totals.Correct + batchCorrect, totals.Seen + part.GlobalRows);
                batchNumber++;
                if (callbacks.Count > 0)
                {
                    var progress = new BatchProgress(epoch, options.Epochs, batchNumber, loader.BatchesPerEpoch, totals.Seen, train.Count, totals.LossSum / totals.Seen, (double)totals.Correct / totals.Seen, clock.Elapsed.TotalSeconds, seenBeforeResume);
                    for (int c = 0; c < callbacks.Count; c++) callbacks[c].OnBatchEnd(this, progress);   // indexed: no enumerator per batch
                }

                // The token is read once: a cancellation arriving after the read is seen at the next step, never
                // between saving and stopping, where it would stop the run without the checkpoint of this step.
                bool cancelled = reduce is null ? options.Cancellation.IsCancellationRequested : anyRankStops;
                if (options.Checkpoints is { } every && (cancelled || (every.EverySteps > 0 && Optimizer.StepCount % every.EverySteps == 0 && batchNumber < loader.BatchesPerEpoch)))
                    SaveCheckpoint(every, run!, epoch - 1, batchNumber, totals, initialRate, results, callbacks, stoppedEarly: false);
                if (cancelled) throw new OperationCanceledException(options.Cancellation);
            }

            startBatch = 0;
            double seconds = clock.Elapsed.TotalSeconds;
            EvaluationResult? eval = validation is null ? null : Evaluator.Evaluate(Model, validation, Loss, batchSize: null, _validationStep ??= InferenceStep.Capture(Model));
            var result = new EpochResult(epoch, totals.LossSum / train.Count, (double)totals.Correct / train.Count, eval?.Loss, eval?.Accuracy, seconds, Optimizer.LearningRate);
            totals = default;
            results.Add(result);
            onEpoch?.Invoke(result);
            bool stop = false;
            foreach (var callback in callbacks) stop |= callback.OnEpochEnd(this, result, results);
            if (options.Checkpoints is { } checkpoints) SaveCheckpoint(checkpoints, run!, epoch, 0, default, initialRate, results, callbacks, stop);
            if (stop) break;
        }

        foreach (var callback in callbacks) callback.OnTrainingEnd(this, results);
        return new TrainingHistory(results);
    }

    /// <summary>Puts the model (weights, buffers and counters such as dropout's streams) and the optimiser in the state
    /// <paramref name="checkpoint"/> holds.</summary>
    /// <exception cref="ArgumentException">The checkpoint was made with another model or optimiser; nothing is changed.</exception>
    public void Restore(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var counters = Model.NamedCounters().Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var unknown = checkpoint.Counters.Keys.FirstOrDefault(name => !counters.Contains(name));
        if (unknown is not null) throw new ArgumentException($"{checkpoint.Path}: the checkpoint has a counter '{unknown}' that this model has not", nameof(checkpoint));

        // Each load checks before it copies; the model is put back if the optimiser then refuses its part.
        var before = Model.StateDict();
        try
        {
            Model.LoadStateDict(checkpoint.ModelState);
            try
            {
                Optimizer.LoadState(checkpoint.OptimizerState, checkpoint.Step);
            }
            catch (ArgumentException)
            {
                Model.LoadStateDict(before);
                throw;
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{checkpoint.Path}: the checkpoint does not fit this model and optimiser ({e.Message})", nameof(checkpoint), e);
        }

        Model.LoadCounters(checkpoint.Counters);
        Optimizer.LearningRate = checkpoint.LearningRate;
    }

    /// <summary>The identity of this run's checkpoints, checked against the folder before training; null without
    /// checkpoints.</summary>
    private RunIdentity? RunOf(Dataset train, CheckpointOptions? options, Checkpoint? resumeFrom)
    {
        if (options is null) return null;
        if (resumeFrom is not null && options.RunId is not null && options.RunId != resumeFrom.Run.Id)
            throw new ArgumentException($"{resumeFrom.Path}: the checkpoint is of run {resumeFrom.Run.Id}, not of run {options.RunId} as the options say", nameof(resumeFrom));
        var run = resumeFrom?.Run ?? RunIdentity.Of(options.RunId ?? RunIdentity.NewId(), train.Name, Model.Describe());
        CheckpointStore.ThrowIfUnsafeFolder(options.Directory);
        var other = CheckpointStore.Files(options.Directory).FirstOrDefault(f => f.Run is { } r && r.Id != run.Id);
        if (other.Run is not null)
            throw new ArgumentException($"{options.Directory} holds checkpoints of another run ({other.Run}, {Path.GetFileName(other.Path)}): give this run a folder of its own, or remove them", nameof(options));
        return run;
    }

    /// <summary>Refuses a data-parallel run in which some rank would get too few rows of a batch: none (it would skip the
    /// step's collectives, and the dropout stream's advance), or one where the model normalises batches (a batch norm
    /// needs two values per channel, on each rank or, synchronised, in the rank's own pass).</summary>
    private void ThrowUnlessEveryRankHasRows(IProcessGroup group, Dataset train, int batchSize)
    {
        int fewest = Model.NamedModules().Any(m => m.Module is NN.Layers.BatchNorm) ? 2 : 1;
        int full = Math.Min(batchSize, train.Count), last = train.Count % batchSize;
        foreach (int rows in last > 0 && last < full ? new[] { full, last } : [full])
        {
            int least = rows / group.Size;   // the smallest of BatchShard.Of's parts
            if (least >= fewest) continue;
            string which = rows == full ? $"a batch holds {rows} example(s)" : $"the last batch of each epoch holds {rows} example(s) of {train.Count}";
            throw new RankSetupException(
                $"{train.Name}: {which}, which leaves a rank {least} row(s) of it among {group.Size} ranks{(fewest > 1 ? " (a batch norm needs 2)" : "")}: choose a batch size that gives every rank {fewest} or more, or run fewer ranks");
        }
    }

    private void SaveCheckpoint(CheckpointOptions options, RunIdentity run, int completedEpochs, int batches, EpochTotals totals, double initialRate, List<EpochResult> history, IReadOnlyList<ITrainingCallback> callbacks, bool stoppedEarly)
    {
        if (ProcessGroup is { Rank: not 0 }) return;   // the replicas are equal: rank 0's file serves every rank

        var callbackState = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var callback in callbacks)
        {
            foreach (var (name, tensor) in callback.SaveState())
            {
                if (!callbackState.TryAdd(name, tensor)) throw new InvalidOperationException($"two callbacks save state named '{name}'");
            }
        }

        var checkpoint = new Checkpoint(
            "", completedEpochs, batches, Optimizer.StepCount, Optimizer.LearningRate, initialRate, [.. history], totals, options.Settings,
            Model.NamedState().ToDictionary(p => p.Key, p => p.Value.To(Device.Cpu)),   // a GPU's read back; the host's as they are
            Optimizer.SaveState().ToDictionary(p => p.Key, p => p.Value),
            Model.NamedCounters().ToDictionary(c => c.Key, c => c.Value),
            run, callbackState, stoppedEarly);
        CheckpointStore.Save(options.Directory, checkpoint, options.Keep);
    }

}
